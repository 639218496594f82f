// The enterprises with the most ties of one relationship type (template: {rel}), i.e. the
// active partners of that kind (preferential attachment); cached by the service.
// Parameters: $limit (int)
// Returns: id, degree (int)
MATCH (c:Enterprise)-[r:{rel}]-()
RETURN c.id AS id, count(r) AS degree
ORDER BY degree DESC, id
LIMIT $limit
