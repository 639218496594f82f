// The segments and product nodes of one chain, each node with its producing enterprises
// collected (one row per segment x product; OPTIONAL so empty segments and products still
// show). Collected, not one row per enterprise: a chain at 100k firms has ~30k producers,
// and the chain's and node's columns repeated on every row cost more to read than the rest.
// Parameters: $chain_id (string)
// Returns: chain_id, chain_name, home_region, segment, segment_order, product_id, product_name,
//          enterprises (list of [id, name, region_code, size_class, tiers])
MATCH (c:Chain {id: $chain_id})
OPTIONAL MATCH (s:Segment)-[:PART_OF]->(c)
OPTIONAL MATCH (p:Product)-[:IN_SEGMENT]->(s)
OPTIONAL MATCH (e:Enterprise)-[:PRODUCES]->(p)
WITH c, s, p, collect(CASE WHEN e IS NULL THEN NULL
                           ELSE [e.id, e.name, e.region_code, e.size_class, e.tiers] END)
                  AS enterprises
RETURN c.id AS chain_id, c.name AS chain_name, c.home_region AS home_region,
       s.name AS segment, s.order AS segment_order, p.id AS product_id, p.name AS product_name,
       enterprises
