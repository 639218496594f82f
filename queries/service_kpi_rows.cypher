// One row per service request for the KPIs (aggregated in Python so both engines give the
// same medians and shares), filtered by area, requester region and creation time.
// Parameters: $area (or null), $prefix (requester region code prefix or null), $since,
//   $until (ISO strings or null: created_at >= since, < until)
// Returns: id, area, title, status, created_at, updated_at, response_hours, satisfaction,
//   feedback, size_class, tiers (the requester's), partners (accepted partners as
//   [{id, size_class, tiers}])
MATCH (e:Enterprise)-[:REQUESTED]->(s:ServiceRequest)
WHERE ($area IS NULL OR s.area = $area)
  AND ($prefix IS NULL OR e.region_code STARTS WITH $prefix)
  AND ($since IS NULL OR s.created_at >= $since)
  AND ($until IS NULL OR s.created_at < $until)
OPTIONAL MATCH (s)-[m:MATCHED]->(p:Enterprise)
WHERE m.accepted = true
WITH e, s, collect({id: p.id, size_class: p.size_class, tiers: p.tiers}) AS partners
RETURN s.id AS id, s.area AS area, s.title AS title, s.status AS status,
       s.created_at AS created_at, s.updated_at AS updated_at,
       s.response_hours AS response_hours, s.satisfaction AS satisfaction, s.feedback AS feedback,
       e.size_class AS size_class, e.tiers AS tiers, partners
ORDER BY id
