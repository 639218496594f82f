// What every enterprise makes, as id pairs (the in-memory tie graph, ``queries/tiegraph.py``,
// answers ``rec_enterprise``'s products from them).
// Parameters: none
// Returns: id (enterprise id), item (product id)
MATCH (e:Enterprise)-[:PRODUCES]->(p:Product)
RETURN e.id AS id, p.id AS item
