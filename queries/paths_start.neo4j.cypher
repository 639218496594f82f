// The engine's node ids of the two ends of a path search (via the Enterprise.id index).
// Parameters: $ids (enterprise ids)
// Returns: id (enterprise id), node (element id)
UNWIND $ids AS key
MATCH (e:Enterprise {id: key})
RETURN e.id AS id, elementId(e) AS node
