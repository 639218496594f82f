// Create one service request for an enterprise, idempotently (MERGE on the client's id).
// A repeat with the same id leaves the stored request as it was (ON CREATE only).
// Parameters: $enterprise (Enterprise id), $id (request id), $props (map of the request's
//   properties: area, title, description, status, created_at, updated_at, history_json, …),
//   $prov (provenance of the REQUESTED relationship: source, method, ingested_at, confidence)
// Returns: id, created (true when this call made the node), fingerprint (of the stored one)
MATCH (e:Enterprise {id: $enterprise})
MERGE (s:ServiceRequest {id: $id})
ON CREATE SET s += $props, s.fresh = true
ON MATCH SET s.fresh = false
MERGE (e)-[r:REQUESTED]->(s)
ON CREATE SET r += $prov
WITH s, s.fresh AS created
REMOVE s.fresh
RETURN s.id AS id, created, s.fingerprint AS fingerprint
