// Enterprise ids and names of nodes the path search reached (to order and show paths).
// Parameters: $nodes (element ids)
// Returns: node (as given), id, name
UNWIND $nodes AS i
MATCH (e) WHERE elementId(e) = i
RETURN i AS node, e.id AS id, e.name AS name
