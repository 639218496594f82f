// Remove a source from nodes it no longer asserts but other sources still do (--prune):
// the node stays with its values; source names the last of the remaining sources.
// Template: {label} is a backtick-quoted label from the schema.
// Parameters: $rows = [{id: string, others: [string]}]
// Returns: released
UNWIND $rows AS row
MATCH (n:{label} {id: row.id})
SET n.sources = row.others, n.source = row.others[size(row.others) - 1]
RETURN count(n) AS released
