// Shared partners (Adamic-Adar over enterprise ties): firms tied to a partner of the
// enterprise, each shared partner weighted by 1/log(its degree + 2). Template: {rel} is the
// quoted enterprise-tie types (``recommend.ENTERPRISE_TIES``). The shared partners are
// summed and named strongest first (fewest ties, then name): both engines then give the
// same sums and names, and so does the in-memory tie graph (``queries/tiegraph.py``).
// Parameters: $id (enterprise id), $limit (int)
// Returns: id (candidate), score (float), via (names of up to 3 shared partners)
MATCH (e:Enterprise {id: $id})-[:{rel}]-(z:Enterprise)
WITH DISTINCT e, z
MATCH (z)-[:{rel}]-(c:Enterprise)
WITH e, z, collect(DISTINCT c) AS cs
UNWIND cs AS c
WITH e, z, c, size(cs) AS dz
WHERE c <> e
WITH c, z, dz
ORDER BY dz, z.name
RETURN c.id AS id, sum(1.0 / log(dz + 2.0)) AS score, collect(z.name)[0..3] AS via
ORDER BY score DESC, id
LIMIT $limit
