// All shortest collaboration paths between two enterprises through the given relationship
// types, either direction (FalkorDB: allShortestPaths in MATCH, endpoints bound first).
// Not used by the service on FalkorDB (~220 ms a pair at 100k; queries/paths.py searches
// layer by layer there): kept to cross-check the layered search in tests.
// Template: {rels} (quoted types joined by |), {max_hops} (integer, validated).
// Parameters: $a, $b (enterprise ids), $cap (int, most paths returned)
// Returns: ids (node ids), names (node names)
MATCH (a:Enterprise {id: $a}), (b:Enterprise {id: $b})
WITH a, b
MATCH p = allShortestPaths((a)-[:{rels}*1..{max_hops}]-(b))
RETURN [n IN nodes(p) | n.id] AS ids, [n IN nodes(p) | n.name] AS names
LIMIT $cap
