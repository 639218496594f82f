// Every Product's id and normalised name, to resolve product references by name.
// Parameters: none
// Returns: id, name, norm_name
MATCH (p:Product)
RETURN p.id AS id, p.name AS name, p.norm_name AS norm_name
