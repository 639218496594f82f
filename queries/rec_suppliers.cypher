// Firms that could supply the enterprise (SUPPLIES) because they make a product, or hold
// a capability, that one of its open needs is about. $need (a Need id or a need's name, or
// null for all open needs) narrows the match. (WITH after each hop keeps FalkorDB's plan starting
// from the indexed enterprise.)
// Parameters: $id (enterprise id), $need (string or null)
// Returns: id, kind ('need'), product (the need's name), score (float)
MATCH (e:Enterprise {id: $id})
WITH e
MATCH (e)-[:NEEDS]->(n:Need)
WHERE (n.status IS NULL OR n.status = 'open') AND ($need IS NULL OR n.id = $need OR n.name = $need)
WITH e, n
MATCH (n)-[:ABOUT]->(p:Product)
WITH e, n, p
MATCH (p)<-[:PRODUCES]-(c:Enterprise)
WHERE c <> e
RETURN c.id AS id, 'need' AS kind, n.name AS product, 1.0 AS score
UNION ALL
MATCH (e:Enterprise {id: $id})
WITH e
MATCH (e)-[:NEEDS]->(n:Need)
WHERE (n.status IS NULL OR n.status = 'open') AND ($need IS NULL OR n.id = $need OR n.name = $need)
WITH e, n
MATCH (n)-[:ABOUT]->(k:Capability)
WITH e, n, k
MATCH (k)<-[:HAS_CAPABILITY]-(c:Enterprise)
WHERE c <> e
RETURN c.id AS id, 'need' AS kind, n.name AS product, 1.0 AS score
