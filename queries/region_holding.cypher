// The loaded divisions among the given codes (the profile's region when the firm has no
// LOCATED_IN link: its own division is not loaded, so the nearest one holding it).
// Parameters: $codes (list of strings: the firm's code and those of the divisions above it)
// Returns: id, code, name, full_name
UNWIND $codes AS code
MATCH (r:Region {id: code})
RETURN r.id AS id, r.code AS code, r.name AS name, r.full_name AS full_name
