// Firms the enterprise could supply (SUPPLIED_BY): they make a product directly downstream
// of one it makes (chain adjacency), or have an open need about one of its products or
// capabilities. With $need set, only that need's products/capabilities count.
// Parameters: $id (enterprise id), $limit (int)
// Returns: id, kind ('chain'|'need'), product (what links them), score (float)
MATCH (e:Enterprise {id: $id})-[:PRODUCES]->(p:Product)-[:UPSTREAM_OF]->(q:Product)<-[:PRODUCES]-(c:Enterprise)
WHERE c <> e
RETURN c.id AS id, 'chain' AS kind, p.name + ' → ' + q.name AS product, 1.0 AS score
UNION ALL
MATCH (e:Enterprise {id: $id})-[:PRODUCES]->(p:Product)<-[:ABOUT]-(n:Need)<-[:NEEDS]-(c:Enterprise)
WHERE c <> e AND (n.status IS NULL OR n.status = 'open')
RETURN c.id AS id, 'need' AS kind, n.name AS product, 1.0 AS score
UNION ALL
MATCH (e:Enterprise {id: $id})-[:HAS_CAPABILITY]->(k:Capability)<-[:ABOUT]-(n:Need)<-[:NEEDS]-(c:Enterprise)
WHERE c <> e AND (n.status IS NULL OR n.status = 'open')
RETURN c.id AS id, 'need' AS kind, n.name AS product, 1.0 AS score
