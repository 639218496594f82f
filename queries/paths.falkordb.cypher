// Shortest collaboration paths between two enterprises through the given relationship
// types, either direction (FalkorDB: the algo.SPpaths procedure, k shortest by length).
// Template: {rels} (unused here; types travel as $types), {max_hops}, {k} (integers).
// Parameters: $a, $b (enterprise ids), $types (list of relationship types), $max_hops (int),
//             $cap (how many paths to fetch before the service dedupes and sorts them)
// Returns: ids (node ids), names (node names), rels (per hop: [start id, end id, type, product])
MATCH (a:Enterprise {id: $a}), (b:Enterprise {id: $b})
CALL algo.SPpaths({sourceNode: a, targetNode: b, relTypes: $types, maxLen: $max_hops,
                   pathCount: $cap, relDirection: 'both'}) YIELD path
RETURN [n IN nodes(path) | n.id] AS ids, [n IN nodes(path) | n.name] AS names,
       [r IN relationships(path) | [startNode(r).id, endNode(r).id, type(r), r.product]] AS rels
