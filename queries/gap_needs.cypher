// Open needs about a chain's products, with the needing firm and the producers of that
// product that already supply it (to tell whether the need is met locally).
// Parameters: $chain_id (string)
// Returns: product_id, need_id, need_name, enterprise_id, enterprise_name, region_code,
//          size_class, tiers, supplier_regions (region codes of producers of the product
//          that already supply the needing firm)
MATCH (c:Chain {id: $chain_id})<-[:PART_OF]-(:Segment)<-[:IN_SEGMENT]-(p:Product)
WITH p
MATCH (p)<-[:ABOUT]-(n:Need)
WITH p, n
MATCH (n)<-[:NEEDS]-(e:Enterprise)
WHERE n.status IS NULL OR n.status = 'open'
OPTIONAL MATCH (sup:Enterprise)-[:PRODUCES]->(p)
OPTIONAL MATCH (sup)-[t:SUPPLIES]->(e)
WITH p, n, e, collect(CASE WHEN t IS NULL THEN NULL ELSE sup.region_code END) AS supplier_regions
RETURN p.id AS product_id, n.id AS need_id, n.name AS need_name, e.id AS enterprise_id,
       e.name AS enterprise_name, e.region_code AS region_code, e.size_class AS size_class,
       e.tiers AS tiers, supplier_regions
