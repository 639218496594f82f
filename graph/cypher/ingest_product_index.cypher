// Every Product's id and normalised name, to resolve product references by name; when two
// products share a name the first one created wins, so a rerun resolves the same way.
// Parameters: none
// Returns: id, name, norm_name (ordered by first_seen, then id)
MATCH (p:Product)
RETURN p.id AS id, p.name AS name, p.norm_name AS norm_name
ORDER BY coalesce(p.first_seen, '') , p.id
