// How many nodes one label has (e.g. whether reference data is loaded).
// Template: {label} is a backtick-quoted label from the schema.
// Parameters: none
// Returns: n
MATCH (n:{label})
RETURN count(n) AS n
