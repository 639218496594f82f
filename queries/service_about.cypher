// What one service request is about (a Need, Product or Capability).
// Parameters: $id (ServiceRequest id)
// Returns: id, name, label ('Need'/'Product'/'Capability'), owner (the Need's enterprise id,
//   else null)
MATCH (s:ServiceRequest {id: $id})-[:ABOUT]->(t)
OPTIONAL MATCH (o:Enterprise)-[:NEEDS]->(t)
RETURN t.id AS id, t.name AS name,
       CASE WHEN t:Need THEN 'Need' WHEN t:Product THEN 'Product' ELSE 'Capability' END AS label,
       o.id AS owner
ORDER BY id
