// Indexes that are not ready yet (still populating, or failed). Parameters: none.
// Returns: label, status (anything but ONLINE)
SHOW INDEXES YIELD labelsOrTypes, state
WHERE state <> 'ONLINE'
RETURN labelsOrTypes[0] AS label, state AS status
