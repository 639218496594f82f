// Chain adjacency, suppliers' side: firms making a product directly upstream (UPSTREAM_OF)
// of one the enterprise makes. At most $limit: SMEs first when $prefer_sme (融通: a leading
// firm looking for suppliers), else leading firms first, then by id. With $ids set, only
// those candidates are checked.
// Parameters: $id (enterprise id), $limit (int), $prefer_sme (bool), $ids (list or null)
// Returns: id, kind ('chain'), product ("p → q"), score (float)
MATCH (e:Enterprise {id: $id})-[:PRODUCES]->(q:Product)
WITH e, q
MATCH (p:Product)-[:UPSTREAM_OF]->(q)
WITH e, p, q
MATCH (c:Enterprise)-[:PRODUCES]->(p)
WHERE c <> e AND ($ids IS NULL OR c.id IN $ids)
WITH DISTINCT e, c,
     CASE WHEN (c.size_class IN ['中型', '小型', '微型']) = $prefer_sme THEN 0 ELSE 1 END AS rank
ORDER BY rank, c.id
LIMIT $limit
MATCH (e)-[:PRODUCES]->(q:Product)<-[:UPSTREAM_OF]-(p:Product)<-[:PRODUCES]-(c)
WITH c, rank, min(p.name + ' → ' + q.name) AS product
RETURN c.id AS id, 'chain' AS kind, product, 1.0 AS score
ORDER BY rank, id
