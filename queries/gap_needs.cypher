// Open needs of leading firms inside a region (tier 链主企业 or size 大型) about a chain's
// products, with the region codes of their current suppliers that make that product
// (to tell whether the need is already met locally).
// Parameters: $chain_id (string), $prefix (region code prefix)
// Returns: product_id, need_id, need_name, enterprise_id, enterprise_name, region_code,
//          size_class, tiers, supplier_regions (list of region codes)
MATCH (c:Chain {id: $chain_id})<-[:PART_OF]-(:Segment)<-[:IN_SEGMENT]-(p:Product)
WITH p
MATCH (p)<-[:ABOUT]-(n:Need)
WITH p, n
MATCH (n)<-[:NEEDS]-(e:Enterprise)
WHERE (n.status IS NULL OR n.status = 'open')
  AND coalesce(e.region_code, '') STARTS WITH $prefix
  AND (e.size_class = '大型' OR '链主企业' IN coalesce(e.tiers, []))
OPTIONAL MATCH (sup:Enterprise)-[:SUPPLIES]->(e)
OPTIONAL MATCH (sup)-[made:PRODUCES]->(p)
WITH p, n, e, collect(CASE WHEN made IS NULL THEN NULL ELSE sup.region_code END)
     AS supplier_regions
RETURN p.id AS product_id, n.id AS need_id, n.name AS need_name, e.id AS enterprise_id,
       e.name AS enterprise_name, e.region_code AS region_code, e.size_class AS size_class,
       e.tiers AS tiers, supplier_regions
