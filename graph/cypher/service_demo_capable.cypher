// Enterprises holding a capability in each collaboration area: partners of the synthetic
// service requests whose need names no product (queries.service_writes.demo_service_requests).
// Parameters: none
// Returns: area, ids (enterprise ids; unordered)
MATCH (e:Enterprise)-[:HAS_CAPABILITY]->(c:Capability)
WHERE c.area IS NOT NULL
RETURN c.area AS area, collect(DISTINCT e.id) AS ids
