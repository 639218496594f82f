// Delete up to $limit nodes with their relationships; the caller repeats until 0, so no
// single transaction outgrows the server's transaction memory limit.
// Parameters: $limit (integer). Returns: deleted (count of nodes deleted)
MATCH (n)
WITH n LIMIT $limit
DETACH DELETE n
RETURN count(*) AS deleted
