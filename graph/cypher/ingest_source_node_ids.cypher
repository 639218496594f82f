// Nodes of one label that a source asserts (for --prune), with the other sources that do.
// Template: {label} is a backtick-quoted label from the schema.
// Parameters: $source = string
// Returns: id, others (the node's other sources, in the order they first wrote it)
MATCH (n:{label})
WHERE $source IN coalesce(n.sources, [n.source])
RETURN n.id AS id, [s IN coalesce(n.sources, [n.source]) WHERE s <> $source] AS others
