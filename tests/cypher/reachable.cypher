// Enterprises reachable over 1..4 directed supply hops (common to both engines).
// Parameters: $a enterprise id. Returns: id
MATCH (:Enterprise {id: $a})-[:SUPPLIES*1..4]->(b)
RETURN DISTINCT b.id AS id ORDER BY id
