// Every enterprise's searchable fields, read once to build the in-process search index
// (FalkorDB's full-text index does not segment Chinese, so search runs in Python).
// Parameters: none
// Returns: id, name, short_name, aliases, uscc, region_code, size_class, tiers
MATCH (e:Enterprise)
RETURN e.id AS id, e.name AS name, e.short_name AS short_name, e.aliases AS aliases,
       e.uscc AS uscc, e.region_code AS region_code, e.size_class AS size_class,
       e.tiers AS tiers
