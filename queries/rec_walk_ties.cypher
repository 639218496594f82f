// Every tie of some types between two enterprises (template: {rel}, quoted types joined by |),
// as id pairs with the type: with the enterprises' industries (``rec_affinity_members``) the
// graph the recommender's random walk (``queries/linkwalk.py``) runs on. A plain scan, cached
// by the service until the graph changes.
// Parameters: none
// Returns: a (start enterprise id), b (end enterprise id), type (relationship type)
MATCH (h:Enterprise)-[r:{rel}]->(t:Enterprise)
RETURN h.id AS a, t.id AS b, type(r) AS type
