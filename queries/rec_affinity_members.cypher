// The industries of every enterprise that has at least one tie of a relationship type
// (template: {rel}, a quoted type): the members the industry-affinity signal can propose.
// A full scan, cached by the recommender until the graph changes.
// Parameters: none
// Returns: id (enterprise id), industry (industry id), name (industry name)
MATCH (c:Enterprise)-[:IN_INDUSTRY]->(j:Industry)
WHERE (c)-[:{rel}]-(:Enterprise)
RETURN c.id AS id, j.id AS industry, j.name AS name
