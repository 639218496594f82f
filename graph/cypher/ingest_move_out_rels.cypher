// Move the outgoing relationships of one type from node $from to node $to (entity merge).
// Template: {rel} is a backtick-quoted relationship type from the schema.
// Parameters: $from = string (id), $to = string (id)
// Returns: moved
MATCH (a {id: $from})-[r:{rel}]->(x)
MATCH (b {id: $to})
WHERE x.id <> $to
MERGE (b)-[r2:{rel} {key: coalesce(r.key, '')}]->(x)
SET r2 += properties(r)
DELETE r
RETURN count(*) AS moved
