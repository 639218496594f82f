// All properties of some nodes of one label (previous values of changed records).
// Template: {label} is a backtick-quoted label from the schema.
// Parameters: $ids = [string]
// Returns: id, props (map)
UNWIND $ids AS id
MATCH (n:{label} {id: id})
RETURN n.id AS id, properties(n) AS props
