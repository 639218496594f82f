// Delete nodes of one label by id, with their relationships (--prune), counting those.
// Template: {label} is a backtick-quoted label from the schema.
// Parameters: $rows = [{id: string}], $source = string (the pruning source)
// Returns: deleted (nodes), rels (relationships deleted with them), foreign (of those, the
//   ones another source, or no ingest source, asserts: the prune report names them)
UNWIND $rows AS row
MATCH (n:{label} {id: row.id})
OPTIONAL MATCH (n)-[r]-()
WITH n, count(DISTINCT r) AS rels,
     count(DISTINCT CASE WHEN coalesce(r.sources, [r.source]) <> [$source] THEN r END) AS foreign
DETACH DELETE n
RETURN count(n) AS deleted, sum(rels) AS rels, sum(foreign) AS foreign
