// Every Enterprise's identifying fields, to build the entity-resolution index.
// Parameters: none
// Returns: id, uscc, name, aliases, short_name
MATCH (e:Enterprise)
RETURN e.id AS id, e.uscc AS uscc, e.name AS name, e.aliases AS aliases,
       e.short_name AS short_name
