// The schema version recorded in the store. Parameters: none.
// Returns: version (integer; no row when the store was never migrated)
MATCH (m:Meta {id: 'schema'})
RETURN m.version AS version
