// Ids of the nodes of one label that a source wrote (for --prune).
// Template: {label} is a backtick-quoted label from the schema.
// Parameters: $source = string
// Returns: id
MATCH (n:{label})
WHERE n.source = $source
RETURN n.id AS id
