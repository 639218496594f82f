// Firms that could supply the enterprise (SUPPLIES) because they make a product, or hold
// a capability, that one of its open needs is about. $need (a Need id, or null for all
// open needs) narrows the match.
// Parameters: $id (enterprise id), $need (string or null)
// Returns: id, kind ('need'), product (the need's name), score (float)
MATCH (e:Enterprise {id: $id})-[:NEEDS]->(n:Need)-[:ABOUT]->(p:Product)<-[:PRODUCES]-(c:Enterprise)
WHERE c <> e AND (n.status IS NULL OR n.status = 'open') AND ($need IS NULL OR n.id = $need)
RETURN c.id AS id, 'need' AS kind, n.name AS product, 1.0 AS score
UNION ALL
MATCH (e:Enterprise {id: $id})-[:NEEDS]->(n:Need)-[:ABOUT]->(k:Capability)<-[:HAS_CAPABILITY]-(c:Enterprise)
WHERE c <> e AND (n.status IS NULL OR n.status = 'open') AND ($need IS NULL OR n.id = $need)
RETURN c.id AS id, 'need' AS kind, n.name AS product, 1.0 AS score
