// Move the outgoing relationships of one type from enterprise $from to enterprise $to (merge).
// Template: {rel} is a backtick-quoted relationship type from the schema.
// Parameters: $from = string (id), $to = string (id)
// Returns: moved
MATCH (a:Enterprise {id: $from})-[r:{rel}]->(x)
MATCH (b:Enterprise {id: $to})
WHERE x.id <> $to
MERGE (b)-[r2:{rel} {key: coalesce(r.key, '')}]->(x)
SET r2 += properties(r)
DELETE r
RETURN count(*) AS moved
