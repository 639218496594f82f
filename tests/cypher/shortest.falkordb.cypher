// Shortest directed supply path between two enterprises (FalkorDB: shortestPath only in
// WITH/RETURN with bound endpoints, and only directed).
// Parameters: $a, $b enterprise ids. Returns: ids (list of ids along the path, or null)
MATCH (a:Enterprise {id: $a}), (b:Enterprise {id: $b})
WITH shortestPath((a)-[:SUPPLIES*..6]->(b)) AS p
RETURN [n IN nodes(p) | n.id] AS ids
