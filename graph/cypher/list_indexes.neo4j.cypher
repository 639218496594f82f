// The node indexes that exist. Parameters: none.
// Returns: label (string), properties (list of strings)
SHOW INDEXES YIELD labelsOrTypes, properties, entityType
WHERE entityType = 'NODE' AND labelsOrTypes IS NOT NULL
RETURN labelsOrTypes[0] AS label, properties
