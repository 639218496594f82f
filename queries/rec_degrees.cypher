// Out- and in-degree of every enterprise in one relationship type (template: {rel}), for
// the popularity signal and the popular-candidates pool; a full scan, cached by the
// service until the graph changes. Two aggregations, not one undirected match: each is a
// single pass over the relationship type.
// Parameters: none
// Returns: id, out (int), in (int)
MATCH (c:Enterprise)-[r:{rel}]->()
RETURN c.id AS id, count(r) AS out, 0 AS in
UNION ALL
MATCH ()-[r:{rel}]->(c:Enterprise)
RETURN c.id AS id, 0 AS out, count(r) AS in
