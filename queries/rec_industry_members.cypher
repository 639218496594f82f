// Members of some industries: how many, and the first $per_industry by id (a hub industry
// cannot flood the candidates, and weighs little anyway); cached per industry by the
// recommender until the graph changes.
// Parameters: $ids (list of industry ids), $per_industry (int)
// Returns: id (industry), name, n (members), sample (enterprise ids)
UNWIND $ids AS iid
MATCH (j:Industry {id: iid})
WITH j
MATCH (j)<-[:IN_INDUSTRY]-(c:Enterprise)
WITH j, c
ORDER BY c.id
WITH j, collect(c.id) AS members
RETURN j.id AS id, j.name AS name, size(members) AS n, members[0..$per_industry] AS sample
