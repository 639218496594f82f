// Remove a source from relationships it no longer asserts but other sources still do
// (--prune): source names the last of the remaining sources.
// Template: {start}, {end}, {rel} are backtick-quoted names from the schema.
// Parameters: $rows = [{start: string, end: string, key: string, others: [string]}]
// Returns: released
UNWIND $rows AS row
MATCH (a:{start} {id: row.start})
MATCH (b:{end} {id: row.end})
MATCH (a)-[r:{rel}]->(b)
WHERE r.key = row.key
SET r.sources = row.others, r.source = row.others[size(row.others) - 1]
RETURN count(r) AS released
