// Whether any enterprise lies under a region code prefix: a store may hold firms' region
// codes without the divisions loaded (asked only when the division itself is not loaded).
// Parameters: $prefix (string)
// Returns: id (one row when some enterprise lies there, none otherwise)
MATCH (e:Enterprise)
WHERE e.region_code STARTS WITH $prefix
RETURN e.id AS id
LIMIT 1
