// Delete every node and relationship (tests, --fresh loads). Parameters: none. Returns: nothing.
MATCH (n) DETACH DELETE n
