// Every relationship between two nodes, as id pairs: the graph the link-prediction
// baselines (Adamic-Adar, common neighbours, preferential attachment) are computed on.
// Parameters: none
// Returns: a, b (node ids), type (relationship type), a_enterprise, b_enterprise (bool)
MATCH (x)-[r]->(y)
RETURN x.id AS a, y.id AS b, type(r) AS type, x:Enterprise AS a_enterprise,
       y:Enterprise AS b_enterprise
