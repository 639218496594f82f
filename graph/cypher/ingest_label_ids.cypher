// Every id of one label (to tell ids from names in reference columns).
// Template: {label} is a backtick-quoted label from the schema.
// Parameters: none
// Returns: id
MATCH (n:{label})
RETURN n.id AS id
