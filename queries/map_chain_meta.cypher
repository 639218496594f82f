// Whether a chain's map shows synthetic demo data (the chain or any of its enterprises).
// Parameters: $chain_id (string)
// Returns: chain_synthetic (bool), synthetic_enterprises (int)
MATCH (c:Chain {id: $chain_id})
OPTIONAL MATCH (c)<-[:PART_OF]-(:Segment)<-[:IN_SEGMENT]-(:Product)<-[:PRODUCES]-(e:Enterprise)
WHERE e.synthetic = true
RETURN coalesce(c.synthetic, false) AS chain_synthetic, count(DISTINCT e) AS synthetic_enterprises
