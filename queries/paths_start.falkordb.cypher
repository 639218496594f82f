// The engine's node ids of the two ends of a path search (via the Enterprise.id index).
// Parameters: $ids (enterprise ids)
// Returns: id (enterprise id), node (internal node id)
UNWIND $ids AS key
MATCH (e:Enterprise {id: key})
RETURN e.id AS id, ID(e) AS node
