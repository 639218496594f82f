// Every enterprise's industries, as id pairs (the in-memory tie graph, ``queries/tiegraph.py``,
// answers ``rec_enterprise``'s industries from them).
// Parameters: none
// Returns: id (enterprise id), item (industry id)
MATCH (e:Enterprise)-[:IN_INDUSTRY]->(j:Industry)
RETURN e.id AS id, j.id AS item
