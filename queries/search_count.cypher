// How many enterprises the store holds: a cheap freshness check for the search index.
// Parameters: none
// Returns: n (int)
MATCH (e:Enterprise)
RETURN count(e) AS n
