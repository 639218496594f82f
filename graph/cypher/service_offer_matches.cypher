// Record partner enterprises offered to a service request (MERGE: offering the same
// partner again refreshes score and reasons but keeps an earlier decision).
// Parameters: $id (ServiceRequest id), $rows = [{partner: Enterprise id, score: float,
//   reasons: [string], method: string, offered_at: ISO string}]
// Returns: offered (how many partners were found and linked)
MATCH (s:ServiceRequest {id: $id})
UNWIND $rows AS row
MATCH (e:Enterprise {id: row.partner})
MERGE (s)-[m:MATCHED]->(e)
ON CREATE SET m.offered_at = row.offered_at
SET m.score = row.score, m.reasons = row.reasons, m.method = row.method
RETURN count(m) AS offered
