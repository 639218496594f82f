// Upsert nodes of one allow-listed label keyed on id.
// Template: {label} is filled by graph.writes with a backtick-quoted label from the schema.
// Parameters: $rows = [{id: string, props: map}]
// Returns: nothing (the caller reads nodes_created from the write summary)
UNWIND $rows AS row
MERGE (n:{label} {id: row.id})
SET n += row.props
