// Every tie of one relationship type between two enterprises (template: {rel}, one quoted
// type), as id pairs: the recommender's in-memory tie graph (``queries/tiegraph.py``) is
// built from these scans once per graph generation.
// Parameters: none
// Returns: a (start enterprise id), b (end enterprise id)
MATCH (a:Enterprise)-[:{rel}]->(b:Enterprise)
RETURN a.id AS a, b.id AS b
