// Delete nodes of one label by id, with their relationships (--prune).
// Template: {label} is a backtick-quoted label from the schema.
// Parameters: $rows = [{id: string}]
// Returns: deleted
UNWIND $rows AS row
MATCH (n:{label} {id: row.id})
DETACH DELETE n
RETURN count(*) AS deleted
