// Chain adjacency, buyers' side: firms making a product directly downstream (UPSTREAM_OF)
// of one the enterprise makes. Big products have hundreds of makers, so at most $limit
// come back: leading firms first when $prefer_sme is false, SMEs first when true (融通),
// then by id. With $ids set, only those candidates are checked (no limit needed).
// Parameters: $id (enterprise id), $limit (int), $prefer_sme (bool), $ids (list or null)
// Returns: id, kind ('chain'), product ("p → q"), score (float)
MATCH (e:Enterprise {id: $id})-[:PRODUCES]->(p:Product)
WITH e, p
MATCH (p)-[:UPSTREAM_OF]->(q:Product)
WITH e, p, q
MATCH (c:Enterprise)-[:PRODUCES]->(q)
WHERE c <> e AND ($ids IS NULL OR c.id IN $ids)
WITH DISTINCT e, c,
     CASE WHEN (c.size_class IN ['中型', '小型', '微型']) = $prefer_sme THEN 0 ELSE 1 END AS rank
ORDER BY rank, c.id
LIMIT $limit
MATCH (e)-[:PRODUCES]->(p:Product)-[:UPSTREAM_OF]->(q:Product)<-[:PRODUCES]-(c)
WITH c, rank, min(p.name + ' → ' + q.name) AS product
RETURN c.id AS id, 'chain' AS kind, product, 1.0 AS score
ORDER BY rank, id
