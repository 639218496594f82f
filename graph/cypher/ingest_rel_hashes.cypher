// Content hashes of existing relationships of one type between nodes matched by id.
// Template: {start}, {end}, {rel} are backtick-quoted names from the schema.
// Parameters: $rows = [{start: string, end: string, key: string}], $source = string
// Returns: start, end, key, hash, held (whether $source is already among its sources)
UNWIND $rows AS row
MATCH (a:{start} {id: row.start})
MATCH (b:{end} {id: row.end})
MATCH (a)-[r:{rel}]->(b)
WHERE r.key = row.key
RETURN row.start AS start, row.end AS end, row.key AS key, r.content_hash AS hash,
       coalesce($source IN r.sources, r.source = $source, false) AS held
