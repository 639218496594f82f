// The node indexes that exist. Parameters: none.
// Returns: label (string), properties (list of strings)
CALL db.indexes() YIELD label, properties
RETURN label, properties
