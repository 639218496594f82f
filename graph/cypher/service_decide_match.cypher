// Record the requester's decision on one offered partner.
// Parameters: $id (ServiceRequest id), $partner (Enterprise id), $accepted (boolean),
//   $at (ISO time string)
// Returns: partner (no row when that partner was never offered)
MATCH (s:ServiceRequest {id: $id})-[m:MATCHED]->(e:Enterprise {id: $partner})
SET m.accepted = $accepted, m.decided_at = $at
RETURN e.id AS partner
