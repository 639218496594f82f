// One breadth-first layer of the path search: the firms tied to each frontier firm by the
// given relationship types, either direction (element-id seeks: no property look-up per hop).
// Template: {rels} (quoted types joined by |).
// Parameters: $nodes (element ids of the frontier)
// Returns: node (as given), next (element ids of the tied enterprises)
UNWIND $nodes AS i
MATCH (a) WHERE elementId(a) = i
MATCH (a)-[:{rels}]-(b:Enterprise)
RETURN i AS node, collect(DISTINCT elementId(b)) AS next
