// Firms in the enterprise's industries (same) or in industries directly up- or downstream
// of them (UPSTREAM_OF), each industry weighted by 1/log(members + 2); big industries are
// sampled to $per_industry members so a hub industry cannot flood the candidates.
// Parameters: $id (enterprise id), $per_industry (int), $limit (int)
// Returns: id, relation ('same'|'upstream'|'downstream': where the candidate's industry
//          lies relative to the enterprise's), industry (name), score (float)
MATCH (e:Enterprise {id: $id})-[:IN_INDUSTRY]->(i:Industry)
OPTIONAL MATCH (i)-[:UPSTREAM_OF]->(d:Industry)
OPTIONAL MATCH (u:Industry)-[:UPSTREAM_OF]->(i)
WITH e, collect(DISTINCT [i, 'same']) + collect(DISTINCT [d, 'downstream'])
     + collect(DISTINCT [u, 'upstream']) AS pairs
UNWIND pairs AS pair
WITH e, pair[0] AS j, pair[1] AS relation
WHERE j IS NOT NULL
MATCH (j)<-[:IN_INDUSTRY]-(c:Enterprise)
WITH e, j, relation, c
ORDER BY c.id
WITH e, j, relation, collect(c) AS members
WITH e, j, relation, members[0..$per_industry] AS sample, size(members) AS n
UNWIND sample AS c
WITH e, c, j, relation, 1.0 / log(n + 2.0) AS w
WHERE c <> e
RETURN c.id AS id, relation, j.name AS industry, w AS score
ORDER BY score DESC, id
LIMIT $limit
