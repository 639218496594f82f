// One enterprise's own properties (all of them, including provenance fields).
// Parameters: $id (enterprise id)
// Returns: props (map)
MATCH (e:Enterprise {id: $id})
RETURN properties(e) AS props
