// Add a source to the sources of nodes it asserts unchanged (their data, source and run
// stay those of the last writer: nothing else is written).
// Template: {label} is a backtick-quoted label from the schema.
// Parameters: $ids = [string], $source = string
// Returns: adopted
UNWIND $ids AS id
MATCH (n:{label} {id: id})
SET n.sources = CASE WHEN n.sources IS NULL THEN
                   CASE WHEN n.source IS NULL OR n.source = $source THEN [$source]
                        ELSE [n.source, $source] END
                 WHEN $source IN n.sources THEN n.sources
                 ELSE n.sources + [$source] END
RETURN count(n) AS adopted
