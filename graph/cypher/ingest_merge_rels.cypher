// Upsert relationships of one type between nodes matched by id, with shared provenance.
// Template: {start}, {end}, {rel} are backtick-quoted names from the schema.
// Parameters: $rows = [{start: string, end: string, key: string, props: map}],
//   $common = map (props every row of the batch shares, sent once), $prov = map
// Returns: matched (rows whose both ends exist)
UNWIND $rows AS row
MATCH (a:{start} {id: row.start})
MATCH (b:{end} {id: row.end})
MERGE (a)-[r:{rel} {key: row.key}]->(b)
SET r += $prov, r += $common, r += row.props
RETURN count(r) AS matched
