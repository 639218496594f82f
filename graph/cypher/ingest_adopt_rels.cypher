// Add a source to the sources of relationships it asserts unchanged (nothing else is
// written).
// Template: {start}, {end}, {rel} are backtick-quoted names from the schema.
// Parameters: $rows = [{start: string, end: string, key: string}], $source = string
// Returns: adopted
UNWIND $rows AS row
MATCH (a:{start} {id: row.start})
MATCH (b:{end} {id: row.end})
MATCH (a)-[r:{rel}]->(b)
WHERE r.key = row.key
SET r.sources = CASE WHEN r.sources IS NULL THEN
                   CASE WHEN r.source IS NULL OR r.source = $source THEN [$source]
                        ELSE [r.source, $source] END
                 WHEN $source IN r.sources THEN r.sources
                 ELSE r.sources + [$source] END
RETURN count(r) AS adopted
