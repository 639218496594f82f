// Upsert nodes of one allow-listed label keyed on id.
// Template: {label} is filled by graph.writes with a backtick-quoted label from the schema.
// Parameters: $rows = [{id: string, props: map}]
// Returns: created (count of rows whose node did not exist before)
UNWIND $rows AS row
MERGE (n:{label} {id: row.id})
ON CREATE SET n._new = true
SET n += row.props
WITH n, coalesce(n._new, false) AS created
REMOVE n._new
RETURN sum(CASE WHEN created THEN 1 ELSE 0 END) AS created
