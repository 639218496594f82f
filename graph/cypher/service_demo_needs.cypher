// Open needs of the loaded enterprises with who makes what each need is about: the
// material of the synthetic service requests (queries.service_writes.demo_service_requests).
// Parameters: $limit (how many needs, by need id)
// Returns: enterprise (id), need (Need id), name, area, partners (ids of makers of the
//   need's product other than the requester; unordered)
MATCH (e:Enterprise)-[:NEEDS]->(n:Need)
WHERE n.status IS NULL OR n.status = 'open'
WITH e, n ORDER BY n.id LIMIT $limit
OPTIONAL MATCH (n)-[:ABOUT]->(:Product)<-[:PRODUCES]-(p:Enterprise)
WITH e, n, collect(p.id) AS partners
RETURN e.id AS enterprise, n.id AS need, n.name AS name, n.area AS area, partners
ORDER BY need
