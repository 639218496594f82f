// Service requests, newest first, filtered; keyset pagination on (created_at, id).
// Parameters: $statuses (list of statuses or null), $area, $enterprise (requester id),
//   $prefix (requester region code prefix), $since, $until (ISO strings: created_at >= since,
//   < until), $after_created, $after_id (the last row of the previous page, or null), $limit
// Returns: id, area, title, status, created_at, updated_at, response_hours, satisfaction,
//   enterprise_id, enterprise_name, offered (partners offered), accepted (partners accepted)
MATCH (e:Enterprise)-[:REQUESTED]->(s:ServiceRequest)
WHERE ($statuses IS NULL OR s.status IN $statuses)
  AND ($area IS NULL OR s.area = $area)
  AND ($enterprise IS NULL OR e.id = $enterprise)
  AND ($prefix IS NULL OR e.region_code STARTS WITH $prefix)
  AND ($since IS NULL OR s.created_at >= $since)
  AND ($until IS NULL OR s.created_at < $until)
  AND ($after_created IS NULL OR s.created_at < $after_created
       OR (s.created_at = $after_created AND s.id < $after_id))
WITH e, s ORDER BY s.created_at DESC, s.id DESC LIMIT $limit
OPTIONAL MATCH (s)-[m:MATCHED]->(:Enterprise)
WITH e, s, count(m) AS offered,
     sum(CASE WHEN m.accepted = true THEN 1 ELSE 0 END) AS accepted
RETURN s.id AS id, s.area AS area, s.title AS title, s.status AS status,
       s.created_at AS created_at, s.updated_at AS updated_at,
       s.response_hours AS response_hours, s.satisfaction AS satisfaction,
       e.id AS enterprise_id, e.name AS enterprise_name, offered, accepted
ORDER BY created_at DESC, id DESC
