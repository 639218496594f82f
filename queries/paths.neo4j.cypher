// Shortest collaboration paths between two enterprises through the given relationship
// types, either direction (Neo4j 5: SHORTEST k GROUPS = every path of the k shortest lengths).
// Template: {rels} (quoted types joined by |), {max_hops}, {k} (integers, validated).
// Parameters: $a, $b (enterprise ids), $types (unused here), $max_hops (unused), $cap (int)
// Returns: ids (node ids), names (node names), rels (per hop: [start id, end id, type, product])
MATCH (a:Enterprise {id: $a}), (b:Enterprise {id: $b})
MATCH p = SHORTEST {k} GROUPS (a)-[:{rels}]-{1,{max_hops}}(b)
RETURN [n IN nodes(p) | n.id] AS ids, [n IN nodes(p) | n.name] AS names,
       [r IN relationships(p) | [startNode(r).id, endNode(r).id, type(r), r.product]] AS rels
LIMIT $cap
