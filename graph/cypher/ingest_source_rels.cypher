// Relationships of one type that a source wrote (for --prune).
// Template: {start}, {end}, {rel} are backtick-quoted names from the schema.
// Parameters: $source = string
// Returns: start, end, key
MATCH (a:{start})-[r:{rel}]->(b:{end})
WHERE r.source = $source
RETURN a.id AS start, b.id AS end, r.key AS key
