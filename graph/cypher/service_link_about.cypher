// Link a service request to what it is about.
// Template: {label} is Need, Product or Capability, backtick-quoted by graph.schema.q().
// Parameters: $id (ServiceRequest id), $about (id of the Need/Product/Capability),
//   $prov (provenance: source, method, ingested_at, confidence)
// Returns: linked (1 when both ends exist, else no row)
MATCH (s:ServiceRequest {id: $id})
MATCH (t:{label} {id: $about})
MERGE (s)-[r:ABOUT]->(t)
ON CREATE SET r += $prov
RETURN count(t) AS linked
