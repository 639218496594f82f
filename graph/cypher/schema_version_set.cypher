// Record the schema version and when it was applied.
// Parameters: $version (integer), $at (ISO-8601 string). Returns: version
MERGE (m:Meta {id: 'schema'})
SET m.version = $version, m.migrated_at = $at
RETURN m.version AS version
