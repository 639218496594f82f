// Wait until new indexes are online. Parameters: none. Returns: nothing.
CALL db.awaitIndexes(300)
