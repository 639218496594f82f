// The latest ingest run: with search_count, what tells the in-process search index it is
// stale (two queries, as FalkorDB counts a label in O(1) only when the count stands alone).
// Parameters: none
// Returns: last_run (greatest IngestRun id, or null)
MATCH (r:IngestRun)
RETURN max(r.id) AS last_run
