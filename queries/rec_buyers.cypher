// Firms the enterprise could supply (SUPPLIED_BY) because they have an open need about one
// of its products or capabilities. (WITH after each hop keeps FalkorDB's plan starting
// from the indexed enterprise instead of scanning every Need.)
// Parameters: $id (enterprise id)
// Returns: id, kind ('need'), product (the need's name), score (float)
MATCH (e:Enterprise {id: $id})-[:PRODUCES]->(p:Product)
WITH e, p
MATCH (p)<-[:ABOUT]-(n:Need)
WITH e, n
MATCH (n)<-[:NEEDS]-(c:Enterprise)
WHERE c <> e AND (n.status IS NULL OR n.status = 'open')
RETURN c.id AS id, 'need' AS kind, n.name AS product, 1.0 AS score
UNION ALL
MATCH (e:Enterprise {id: $id})-[:HAS_CAPABILITY]->(k:Capability)
WITH e, k
MATCH (k)<-[:ABOUT]-(n:Need)
WITH e, n
MATCH (n)<-[:NEEDS]-(c:Enterprise)
WHERE c <> e AND (n.status IS NULL OR n.status = 'open')
RETURN c.id AS id, 'need' AS kind, n.name AS product, 1.0 AS score
