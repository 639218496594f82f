// Who holds each capability that some need is about, as id pairs (the in-memory tie graph,
// ``queries/tiegraph.py``, answers the capability halves of ``rec_suppliers`` and
// ``rec_buyers`` from them; other capabilities never reach a recommendation).
// Parameters: none
// Returns: id (enterprise id), item (capability id)
MATCH (:Need)-[:ABOUT]->(k:Capability)
WITH DISTINCT k
MATCH (k)<-[:HAS_CAPABILITY]-(c:Enterprise)
RETURN c.id AS id, k.id AS item
