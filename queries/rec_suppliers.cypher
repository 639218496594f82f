// Firms that could supply the enterprise (SUPPLIES): they make a product directly upstream
// of one it makes (chain adjacency), or a product / capability one of its open needs is
// about. $need (a Need id, or null for all open needs) narrows the need match.
// Parameters: $id (enterprise id), $need (string or null)
// Returns: id, kind ('chain'|'need'), product (what links them), score (float)
MATCH (e:Enterprise {id: $id})-[:PRODUCES]->(q:Product)<-[:UPSTREAM_OF]-(p:Product)<-[:PRODUCES]-(c:Enterprise)
WHERE c <> e AND $need IS NULL
RETURN c.id AS id, 'chain' AS kind, p.name + ' → ' + q.name AS product, 1.0 AS score
UNION ALL
MATCH (e:Enterprise {id: $id})-[:NEEDS]->(n:Need)-[:ABOUT]->(p:Product)<-[:PRODUCES]-(c:Enterprise)
WHERE c <> e AND (n.status IS NULL OR n.status = 'open') AND ($need IS NULL OR n.id = $need)
RETURN c.id AS id, 'need' AS kind, n.name AS product, 1.0 AS score
UNION ALL
MATCH (e:Enterprise {id: $id})-[:NEEDS]->(n:Need)-[:ABOUT]->(k:Capability)<-[:HAS_CAPABILITY]-(c:Enterprise)
WHERE c <> e AND (n.status IS NULL OR n.status = 'open') AND ($need IS NULL OR n.id = $need)
RETURN c.id AS id, 'need' AS kind, n.name AS product, 1.0 AS score
