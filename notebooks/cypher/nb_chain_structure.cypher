// Chain structure: per chain and segment, how many product nodes and distinct makers.
// Parameters: none
// Returns: chain, chain_name, home_region, segment, seg_order, products, makers
MATCH (c:Chain)<-[:PART_OF]-(s:Segment)<-[:IN_SEGMENT]-(p:Product)
OPTIONAL MATCH (e:Enterprise)-[:PRODUCES]->(p)
RETURN c.id AS chain, c.name AS chain_name, c.home_region AS home_region,
       s.name AS segment, s.order AS seg_order,
       count(DISTINCT p) AS products, count(DISTINCT e) AS makers
ORDER BY chain, seg_order
