// Producers of products, and holders of capabilities, whose name contains a free-text need
// (e.g. "热轧板卷"): suppliers for a need typed by the user rather than a stored Need.
// Parameters: $text (string), $limit (int)
// Returns: id, kind ('need'), product (matched product or capability name), score (float)
MATCH (p:Product)<-[:PRODUCES]-(c:Enterprise)
WHERE p.name CONTAINS $text
RETURN c.id AS id, 'need' AS kind, p.name AS product, 1.0 AS score
ORDER BY id, product
LIMIT $limit
UNION ALL
MATCH (k:Capability)<-[:HAS_CAPABILITY]-(c:Enterprise)
WHERE k.name CONTAINS $text
RETURN c.id AS id, 'need' AS kind, k.name AS product, 1.0 AS score
ORDER BY id, product
LIMIT $limit
