// Exact look-up of an enterprise by id, USCC or full name (each via its index); short
// names and aliases are left to the search index (queries/search.py).
// Parameters: $key (string as typed), $upper (the same, upper-cased for USCC)
// Returns: id, name, rank (0 id, 1 USCC, 2 name)
MATCH (e:Enterprise {id: $key}) RETURN e.id AS id, e.name AS name, 0 AS rank
UNION
MATCH (e:Enterprise {uscc: $upper}) RETURN e.id AS id, e.name AS name, 1 AS rank
UNION
MATCH (e:Enterprise {name: $key}) RETURN e.id AS id, e.name AS name, 2 AS rank
