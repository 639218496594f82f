// One chain's own fields.
// Parameters: $chain_id (string)
// Returns: id, name, home_region
MATCH (c:Chain {id: $chain_id})
RETURN c.id AS id, c.name AS name, c.home_region AS home_region
