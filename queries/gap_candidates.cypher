// Producers outside a region of the given products: per product the 20 biggest (size
// class, then number of tiers, then id), with how many firms inside the region each
// already supplies or cooperates with (a firm with local ties is easier to attract).
// The partners are collected first and their regions tested in the list: on FalkorDB that
// is about twice as fast as filtering the OPTIONAL MATCH's rows (the 20 biggest of a
// product have dozens of ties each).
// Parameters: $product_ids (list of product ids), $prefix (region code prefix)
// Returns: product_id, id, name, region_code, size_class, tiers, local_partners (int)
UNWIND $product_ids AS pid
MATCH (p:Product {id: pid})
WITH p
MATCH (p)<-[:PRODUCES]-(e:Enterprise)
WHERE NOT coalesce(e.region_code, '') STARTS WITH $prefix
WITH p, e, CASE e.size_class WHEN '大型' THEN 0 WHEN '中型' THEN 1 WHEN '小型' THEN 2
                             WHEN '微型' THEN 3 ELSE 4 END AS rank,
     size(coalesce(e.tiers, [])) AS ntiers
ORDER BY rank, ntiers DESC, e.id
WITH p, collect(e)[0..20] AS top
UNWIND top AS e
OPTIONAL MATCH (e)-[:SUPPLIES|COOPERATES_WITH]-(b:Enterprise)
WITH p, e, collect(DISTINCT b) AS partners
RETURN p.id AS product_id, e.id AS id, e.name AS name, e.region_code AS region_code,
       e.size_class AS size_class, e.tiers AS tiers,
       size([b IN partners WHERE coalesce(b.region_code, '') STARTS WITH $prefix])
           AS local_partners
