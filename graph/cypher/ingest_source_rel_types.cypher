// The relationship types, with their end labels, that a source asserts (for --prune: a
// type the file no longer has at all is pruned too).
// Parameters: $source = string
// Returns: rel, start, end (a type and the first label of each end)
MATCH (a)-[r]->(b)
WHERE $source IN coalesce(r.sources, [r.source])
RETURN DISTINCT type(r) AS rel, labels(a)[0] AS start, labels(b)[0] AS end
