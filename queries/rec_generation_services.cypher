// The relationships of service records (REQUESTED, ABOUT and MATCHED at ServiceRequest
// nodes), which none of the recommender's aggregates read: subtracted from rec_generation's
// count, so recording a matchmaking service does not make every aggregate be rebuilt.
// Parameters: none
// Returns: rels (int)
MATCH (:ServiceRequest)-[r]-()
RETURN count(r) AS rels
