// Every enterprise's industries, as id pairs, for the industry-affinity signal (the caller
// keeps the enterprises that have ties of the relationship type; filtering them here with a
// pattern predicate costs seconds at 100k enterprises, the plain scan under one). Cached by
// the recommender until the graph changes.
// Parameters: none
// Returns: id (enterprise id), industry (industry id)
MATCH (c:Enterprise)-[:IN_INDUSTRY]->(j:Industry)
RETURN c.id AS id, j.id AS industry
