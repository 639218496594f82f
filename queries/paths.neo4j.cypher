// All shortest collaboration paths between two enterprises through the given relationship
// types, either direction, through enterprises only (Neo4j 5: ALL SHORTEST with a
// quantified path pattern).
// Template: {rels} (quoted types joined by |), {max_hops} (integer, validated).
// Parameters: $a, $b (enterprise ids), $cap (int, most paths returned)
// Returns: ids (node ids), names (node names)
MATCH (a:Enterprise {id: $a}), (b:Enterprise {id: $b})
MATCH p = ALL SHORTEST (a)(()-[:{rels}]-(:Enterprise)){1,{max_hops}}(b)
RETURN [n IN nodes(p) | n.id] AS ids, [n IN nodes(p) | n.name] AS names
LIMIT $cap
