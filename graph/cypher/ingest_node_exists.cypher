// Which of some ids exist as nodes of one label.
// Template: {label} is a backtick-quoted label from the schema.
// Parameters: $ids = [string]
// Returns: id
UNWIND $ids AS id
MATCH (n:{label} {id: id})
RETURN n.id AS id
