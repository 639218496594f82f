// Upsert relationships of one allow-listed type between nodes matched by id.
// Template: {start}, {end}, {rel} are backtick-quoted names from the schema.
// Parameters: $rows = [{start: string, end: string, key: string, props: map}]
//   key tells apart parallel relationships of the same type (e.g. supply of two
//   products); use '' when there is at most one.
// Returns: matched (rows whose both ends exist)
UNWIND $rows AS row
MATCH (a:{start} {id: row.start})
MATCH (b:{end} {id: row.end})
MERGE (a)-[r:{rel} {key: row.key}]->(b)
SET r += row.props
RETURN count(r) AS matched
