// Products directly up- or downstream (UPSTREAM_OF) of a chain's products, with their
// producers; the service keeps those outside the chain (延链 opportunities).
// Parameters: $chain_id (string)
// Returns: product_id, direction ('upstream'|'downstream' relative to the chain product),
//          other_id, other_name, enterprise_id, enterprise_name, region_code, size_class, tiers
MATCH (c:Chain {id: $chain_id})<-[:PART_OF]-(:Segment)<-[:IN_SEGMENT]-(p:Product)
MATCH (q:Product)-[:UPSTREAM_OF]->(p)
OPTIONAL MATCH (e:Enterprise)-[:PRODUCES]->(q)
RETURN p.id AS product_id, 'upstream' AS direction, q.id AS other_id, q.name AS other_name,
       e.id AS enterprise_id, e.name AS enterprise_name, e.region_code AS region_code,
       e.size_class AS size_class, e.tiers AS tiers
UNION ALL
MATCH (c:Chain {id: $chain_id})<-[:PART_OF]-(:Segment)<-[:IN_SEGMENT]-(p:Product)
MATCH (p)-[:UPSTREAM_OF]->(q:Product)
OPTIONAL MATCH (e:Enterprise)-[:PRODUCES]->(q)
RETURN p.id AS product_id, 'downstream' AS direction, q.id AS other_id, q.name AS other_name,
       e.id AS enterprise_id, e.name AS enterprise_name, e.region_code AS region_code,
       e.size_class AS size_class, e.tiers AS tiers
