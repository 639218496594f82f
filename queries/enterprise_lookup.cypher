// Exact look-up of an enterprise by id, USCC, full name or short name (each via its index);
// a short name counts only when one firm has it. Aliases are left to the search index
// (queries/search.py).
// Parameters: $key (string as typed), $upper (the same, upper-cased for USCC)
// Returns: id, name, rank (0 id, 1 USCC, 2 name, 3 short name)
MATCH (e:Enterprise {id: $key}) RETURN e.id AS id, e.name AS name, 0 AS rank
UNION
MATCH (e:Enterprise {uscc: $upper}) RETURN e.id AS id, e.name AS name, 1 AS rank
UNION
MATCH (e:Enterprise {name: $key}) RETURN e.id AS id, e.name AS name, 2 AS rank
UNION
MATCH (e:Enterprise {short_name: $key})
WITH collect(e) AS found
WHERE size(found) = 1
UNWIND found AS e
RETURN e.id AS id, e.name AS name, 3 AS rank
