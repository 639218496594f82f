// Finish merging enterprise $from into $to: keep $from's name as an alias, delete $from.
// Parameters: $from = string (id), $to = string (id), $at = ISO time string
// Returns: id (of the kept node)
MATCH (a:Enterprise {id: $from})
MATCH (b:Enterprise {id: $to})
SET b.aliases = CASE WHEN a.name IS NULL OR a.name IN coalesce(b.aliases, []) OR a.name = b.name
                     THEN b.aliases ELSE coalesce(b.aliases, []) + [a.name] END,
    b.merged_ids = coalesce(b.merged_ids, []) + [a.id], b.as_of = $at
DETACH DELETE a
RETURN b.id AS id
