// The segments, product nodes and producing enterprises of one chain (one row per
// segment x product x enterprise; OPTIONAL so empty segments and products still show).
// Parameters: $chain_id (string)
// Returns: chain_id, chain_name, home_region, segment, segment_order, product_id, product_name,
//          enterprise_id, enterprise_name, region_code, size_class, tiers
MATCH (c:Chain {id: $chain_id})
OPTIONAL MATCH (s:Segment)-[:PART_OF]->(c)
OPTIONAL MATCH (p:Product)-[:IN_SEGMENT]->(s)
OPTIONAL MATCH (e:Enterprise)-[:PRODUCES]->(p)
RETURN c.id AS chain_id, c.name AS chain_name, c.home_region AS home_region,
       s.name AS segment, s.order AS segment_order, p.id AS product_id, p.name AS product_name,
       e.id AS enterprise_id, e.name AS enterprise_name, e.region_code AS region_code,
       e.size_class AS size_class, e.tiers AS tiers
