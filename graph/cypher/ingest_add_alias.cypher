// Add a name variant to an enterprise's aliases (a row merged into it by name).
// Parameters: $id = string, $alias = string
// Returns: id
MATCH (e:Enterprise {id: $id})
WHERE e.name <> $alias AND NOT $alias IN coalesce(e.aliases, [])
SET e.aliases = coalesce(e.aliases, []) + [$alias]
RETURN e.id AS id
