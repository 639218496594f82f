// Relationships of one type that a source asserts (for --prune), with their other sources.
// Template: {start}, {end}, {rel} are backtick-quoted names from the schema.
// Parameters: $source = string
// Returns: start, end, key, others (the relationship's other sources)
MATCH (a:{start})-[r:{rel}]->(b:{end})
WHERE $source IN coalesce(r.sources, [r.source])
RETURN a.id AS start, b.id AS end, r.key AS key,
       [s IN coalesce(r.sources, [r.source]) WHERE s <> $source] AS others
