// Move the incoming relationships of one type from enterprise $from to enterprise $to (merge).
// Template: {rel} is a backtick-quoted relationship type from the schema.
// Parameters: $from = string (id), $to = string (id)
// Returns: moved
MATCH (x)-[r:{rel}]->(a:Enterprise {id: $from})
MATCH (b:Enterprise {id: $to})
WHERE x.id <> $to
MERGE (x)-[r2:{rel} {key: coalesce(r.key, '')}]->(b)
SET r2 += properties(r)
DELETE r
RETURN count(*) AS moved
