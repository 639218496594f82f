// Every relationship of the given types between consecutive firms of chosen paths, so a
// hop lists all its ties (supply and investment between the same two firms, say).
// Template: {rels} (quoted types joined by |).
// Parameters: $pairs (list of [id, id])
// Returns: a, b (the pair as given), start, end (stored direction), type,
//   product (the supplied product's name when it is a known Product, else as stored)
UNWIND $pairs AS pair
MATCH (x:Enterprise {id: pair[0]})-[r:{rels}]-(y:Enterprise {id: pair[1]})
WITH pair, r, startNode(r).id AS start, endNode(r).id AS end, type(r) AS type,
     r.product AS pid
OPTIONAL MATCH (p:Product {id: pid})
RETURN pair[0] AS a, pair[1] AS b, start, end, type, coalesce(p.name, pid) AS product
