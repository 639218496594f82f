// Per product node of a chain: its segment, its local producers' size classes and tiers,
// and how many producers lie outside the region (aggregated in the engine: one row per node).
// Parameters: $chain_id (string), $prefix (region code prefix, e.g. '1302')
// Returns: chain_id, chain_name, segment, segment_order, product_id, product_name,
//          locals (list of {id, size_class, tiers}), external_count (int)
MATCH (c:Chain {id: $chain_id})<-[:PART_OF]-(s:Segment)<-[:IN_SEGMENT]-(p:Product)
OPTIONAL MATCH (e:Enterprise)-[:PRODUCES]->(p)
WITH c, s, p, e, coalesce(e.region_code, '') STARTS WITH $prefix AS local
WITH c, s, p,
     collect(CASE WHEN e IS NOT NULL AND local
             THEN {id: e.id, size_class: e.size_class, tiers: e.tiers} END) AS locals,
     sum(CASE WHEN e IS NOT NULL AND NOT local THEN 1 ELSE 0 END) AS external_count
RETURN c.id AS chain_id, c.name AS chain_name, s.name AS segment, s.order AS segment_order,
       p.id AS product_id, p.name AS product_name, locals, external_count
