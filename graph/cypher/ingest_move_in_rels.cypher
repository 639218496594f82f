// Move the incoming relationships of one type from node $from to node $to (entity merge).
// Template: {rel} is a backtick-quoted relationship type from the schema.
// Parameters: $from = string (id), $to = string (id)
// Returns: moved
MATCH (x)-[r:{rel}]->(a {id: $from})
MATCH (b {id: $to})
WHERE x.id <> $to
MERGE (x)-[r2:{rel} {key: coalesce(r.key, '')}]->(b)
SET r2 += properties(r)
DELETE r
RETURN count(*) AS moved
