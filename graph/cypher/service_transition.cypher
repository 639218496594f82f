// Move a service request from one status to the next, compare-and-set: it only writes
// when the stored status and updated_at are still what the caller read, so two
// concurrent transitions cannot both win.
// Parameters: $id, $from_status, $expected_updated_at, $props (map: status, updated_at,
//   history_json and, when they change, response_hours / satisfaction / feedback)
// Returns: id, status (no row when the request changed in between)
MATCH (s:ServiceRequest {id: $id})
WHERE s.status = $from_status AND s.updated_at = $expected_updated_at
SET s += $props
RETURN s.id AS id, s.status AS status
