// Shortest directed supply path between two enterprises (Neo4j: shortestPath in MATCH).
// Parameters: $a, $b enterprise ids. Returns: ids (list of ids along the path)
MATCH p = shortestPath((a:Enterprise {id: $a})-[:SUPPLIES*..6]->(b:Enterprise {id: $b}))
RETURN [n IN nodes(p) | n.id] AS ids
