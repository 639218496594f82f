// Firms the enterprise could supply (SUPPLIED_BY) because they have an open need about one
// of its products or capabilities.
// Parameters: $id (enterprise id)
// Returns: id, kind ('need'), product (the need's name), score (float)
MATCH (e:Enterprise {id: $id})-[:PRODUCES]->(p:Product)<-[:ABOUT]-(n:Need)<-[:NEEDS]-(c:Enterprise)
WHERE c <> e AND (n.status IS NULL OR n.status = 'open')
RETURN c.id AS id, 'need' AS kind, n.name AS product, 1.0 AS score
UNION ALL
MATCH (e:Enterprise {id: $id})-[:HAS_CAPABILITY]->(k:Capability)<-[:ABOUT]-(n:Need)<-[:NEEDS]-(c:Enterprise)
WHERE c <> e AND (n.status IS NULL OR n.status = 'open')
RETURN c.id AS id, 'need' AS kind, n.name AS product, 1.0 AS score
