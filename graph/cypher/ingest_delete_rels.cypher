// Delete relationships of one type by (start id, end id, key) (--prune).
// Template: {start}, {end}, {rel} are backtick-quoted names from the schema.
// Parameters: $rows = [{start: string, end: string, key: string}]
// Returns: deleted
UNWIND $rows AS row
MATCH (a:{start} {id: row.start})
MATCH (b:{end} {id: row.end})
MATCH (a)-[r:{rel}]->(b)
WHERE r.key = row.key
DELETE r
RETURN count(*) AS deleted
