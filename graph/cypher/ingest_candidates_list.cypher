// Review candidates of one status, most confident first.
// Parameters: $status = string (pending/confirmed/rejected), $limit = int
// Returns: id, kind, status, confidence, reason, payload_json, source, run_id
MATCH (c:Candidate)
WHERE c.status = $status
RETURN c.id AS id, c.kind AS kind, c.status AS status, c.confidence AS confidence,
       c.reason AS reason, c.payload_json AS payload_json, c.source AS source,
       c.run_id AS run_id
ORDER BY c.confidence DESC, c.id
LIMIT $limit
