// One service request with its requesting enterprise.
// Parameters: $id (ServiceRequest id)
// Returns: request (the node's properties), enterprise_id, enterprise_name, size_class,
//   tiers, region_code (requester's; null when the requester is gone)
MATCH (s:ServiceRequest {id: $id})
OPTIONAL MATCH (e:Enterprise)-[:REQUESTED]->(s)
RETURN s AS request, e.id AS enterprise_id, e.name AS enterprise_name,
       e.size_class AS size_class, e.tiers AS tiers, e.region_code AS region_code
