// Schema 3: give up to $limit relationships that have a source but no sources list one.
// Parameters: $limit = integer (rows per transaction; the caller repeats until 0)
// Returns: n (relationships rewritten)
MATCH ()-[r]->()
WHERE r.source IS NOT NULL AND r.sources IS NULL
WITH r LIMIT $limit
SET r.sources = [r.source]
RETURN count(r) AS n
