// Partners of peers in one relationship type (template: {rel}: quoted types joined by |): firms
// tied by {rel} to a peer y that shares a {rel} partner z with the enterprise
// (e -{rel}- z -{rel}- y -{rel}- c), each path weighted by 1/(deg z * deg y). A hub z
// with more than $cap partners is skipped: each of its paths would weigh under 1/$cap, and
// expanding its partners' partners is what made this query slow on big graphs; likewise
// only the $limit strongest peers y are expanded, and $limit candidates come back. Sums
// run in a set order (z by its partner count, paths by weight then peer name), so both
// engines and the in-memory tie graph (``queries/tiegraph.py``) agree to the last bit.
// Parameters: $id (enterprise id), $limit (int), $cap (int)
// Returns: id (candidate), score (float), via (names of up to 3 peers, strongest first)
MATCH (e:Enterprise {id: $id})-[:{rel}]-(z:Enterprise)
WITH DISTINCT e, z
MATCH (z)-[:{rel}]-(y:Enterprise)
WHERE y <> e
WITH e, z, collect(DISTINCT y) AS ys
WHERE size(ys) <= $cap
WITH e, ys
ORDER BY size(ys)
UNWIND ys AS y
WITH e, y, sum(1.0 / size(ys)) AS wy
ORDER BY wy DESC, y.id
LIMIT $limit
MATCH (y)-[:{rel}]-(c:Enterprise)
WITH e, y, wy, collect(DISTINCT c) AS cs
UNWIND cs AS c
WITH e, y, c, wy / size(cs) AS w
WHERE c <> e
WITH c, y, w
ORDER BY w DESC, y.name
RETURN c.id AS id, sum(w) AS score, collect(y.name)[0..3] AS via
ORDER BY score DESC, id
LIMIT $limit
