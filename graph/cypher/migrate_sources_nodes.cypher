// Schema 3: give up to $limit nodes that have a source but no sources list one of it.
// Parameters: $limit = integer (rows per transaction; the caller repeats until 0)
// Returns: n (nodes rewritten)
MATCH (n)
WHERE n.source IS NOT NULL AND n.sources IS NULL
WITH n LIMIT $limit
SET n.sources = [n.source]
RETURN count(n) AS n
