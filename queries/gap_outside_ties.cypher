// For producers of a chain's products located outside a region: how many firms inside the
// region they already supply or cooperate with (a firm with ties is easier to attract).
// Parameters: $chain_id (string), $prefix (region code prefix, e.g. '1302')
// Returns: enterprise_id, local_partners (int)
MATCH (c:Chain {id: $chain_id})<-[:PART_OF]-(:Segment)<-[:IN_SEGMENT]-(:Product)<-[:PRODUCES]-(e:Enterprise)
WHERE NOT coalesce(e.region_code, '') STARTS WITH $prefix
WITH DISTINCT e
OPTIONAL MATCH (e)-[:SUPPLIES|COOPERATES_WITH]-(b:Enterprise)
WHERE coalesce(b.region_code, '') STARTS WITH $prefix
RETURN e.id AS enterprise_id, count(DISTINCT b) AS local_partners
