// Every open need, with its enterprise and what it is about (the in-memory tie graph,
// ``queries/tiegraph.py``, answers ``rec_suppliers`` and ``rec_buyers`` from them; read
// again after every change, as a need's status is a property).
// Parameters: none
// Returns: id (enterprise id), need (need id), name (need name), item (product or
//          capability id), kind ('product' or 'capability')
MATCH (e:Enterprise)-[:NEEDS]->(n:Need)
WHERE n.status IS NULL OR n.status = 'open'
WITH e, n
MATCH (n)-[:ABOUT]->(p:Product)
RETURN e.id AS id, n.id AS need, n.name AS name, p.id AS item, 'product' AS kind
UNION ALL
MATCH (e:Enterprise)-[:NEEDS]->(n:Need)
WHERE n.status IS NULL OR n.status = 'open'
WITH e, n
MATCH (n)-[:ABOUT]->(k:Capability)
RETURN e.id AS id, n.id AS need, n.name AS name, k.id AS item, 'capability' AS kind
