// Record the review outcome of one candidate.
// Parameters: $id = string, $status = string, $resolution = string, $at = ISO time string
// Returns: id
MATCH (c:Candidate {id: $id})
SET c.status = $status, c.resolution = $resolution, c.resolved_at = $at
RETURN c.id AS id
