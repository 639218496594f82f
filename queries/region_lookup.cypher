// Regions whose code, name or full name equals the given text (to turn "丰南区" into 130207).
// Parameters: $text (string)
// Returns: code, name, level
MATCH (r:Region {id: $text}) RETURN r.code AS code, r.name AS name, r.level AS level
UNION
MATCH (r:Region {name: $text}) RETURN r.code AS code, r.name AS name, r.level AS level
UNION
MATCH (r:Region) WHERE r.full_name = $text
RETURN r.code AS code, r.name AS name, r.level AS level
