// SUPPLIES ties between enterprises that both make a product of one chain (for the chain map).
// Parameters: $chain_id (string), $limit (int, cap on returned ties)
// Returns: source (supplier id), target (buyer id), product (string or null)
MATCH (:Chain {id: $chain_id})<-[:PART_OF]-(:Segment)<-[:IN_SEGMENT]-(:Product)<-[:PRODUCES]-(a:Enterprise)
WITH DISTINCT a
MATCH (a)-[r:SUPPLIES]->(b:Enterprise)-[:PRODUCES]->(:Product)-[:IN_SEGMENT]->(:Segment)-[:PART_OF]->(:Chain {id: $chain_id})
RETURN DISTINCT a.id AS source, b.id AS target, r.product AS product
ORDER BY source, target
LIMIT $limit
