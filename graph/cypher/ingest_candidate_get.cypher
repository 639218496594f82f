// One review candidate by id.
// Parameters: $id = string
// Returns: id, kind, status, confidence, reason, payload_json, source, run_id
MATCH (c:Candidate {id: $id})
RETURN c.id AS id, c.kind AS kind, c.status AS status, c.confidence AS confidence,
       c.reason AS reason, c.payload_json AS payload_json, c.source AS source,
       c.run_id AS run_id
