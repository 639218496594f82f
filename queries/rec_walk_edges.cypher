// Every relationship between two nodes, as id pairs with its type and whether each end is an
// enterprise: the graph the recommender's random walk (``queries/linkwalk.py``) runs on. A
// plain scan, cached by the service until the graph changes.
// Parameters: none
// Returns: a, b (node ids), type (relationship type), a_enterprise, b_enterprise (bool)
MATCH (x)-[r]->(y)
RETURN x.id AS a, y.id AS b, type(r) AS type, x:Enterprise AS a_enterprise,
       y:Enterprise AS b_enterprise
