// Whether a division code prefix (``queries.common.region_prefix``) names a loaded division.
// Parameters: $prefix (string)
// Returns: code (one row when the division is loaded, none otherwise)
MATCH (r:Region {id: $prefix})
RETURN r.code AS code
LIMIT 1
