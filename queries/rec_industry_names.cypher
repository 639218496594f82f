// Every industry's display name (the industry-affinity signal's reasons name industries).
// Parameters: none
// Returns: id, name
MATCH (j:Industry)
RETURN j.id AS id, j.name AS name
