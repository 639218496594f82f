// Make the graph exist without leaving anything in it (FalkorDB refuses reads on a
// graph key that was never written). Parameters: none. Returns: nothing.
CREATE (n:Meta) DELETE n
