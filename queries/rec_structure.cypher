// The UPSTREAM_OF links between products and between industries (small: a chain's worth),
// with names; cached by the recommender until the graph changes.
// Parameters: none
// Returns: kind ('product'|'industry'), a (upstream id), a_name, b (downstream id), b_name
MATCH (a:Product)-[:UPSTREAM_OF]->(b:Product)
RETURN 'product' AS kind, a.id AS a, a.name AS a_name, b.id AS b, b.name AS b_name
UNION ALL
MATCH (a:Industry)-[:UPSTREAM_OF]->(b:Industry)
RETURN 'industry' AS kind, a.id AS a, a.name AS a_name, b.id AS b, b.name AS b_name
