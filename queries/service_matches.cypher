// Partners offered to one service request, best score first.
// Parameters: $id (ServiceRequest id)
// Returns: partner (Enterprise id), name, size_class, tiers, region_code, score, reasons,
//   accepted (true/false, null while undecided), method, offered_at, decided_at
MATCH (s:ServiceRequest {id: $id})-[m:MATCHED]->(e:Enterprise)
RETURN e.id AS partner, e.name AS name, e.size_class AS size_class, e.tiers AS tiers,
       e.region_code AS region_code, m.score AS score, m.reasons AS reasons,
       m.accepted AS accepted, m.method AS method, m.offered_at AS offered_at,
       m.decided_at AS decided_at
ORDER BY coalesce(m.score, -1.0) DESC, partner
