// Every tie of one relationship type between two enterprises (template: {rel}, a quoted
// type), as id pairs: with the enterprises' industries (``rec_affinity_members``) they give
// the recommender's industry-affinity signal ("firms of industry A often cooperate with
// firms of industry B"). A plain scan, cached by the service until the graph changes.
// Parameters: none
// Returns: a (start enterprise id), b (end enterprise id)
MATCH (h:Enterprise)-[:{rel}]->(t:Enterprise)
RETURN h.id AS a, t.id AS b
