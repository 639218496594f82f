// A cheap graph-generation check for the recommender's cached aggregates: the number of
// relationships (both engines answer it from their counters, without a scan).
// Parameters: none
// Returns: rels (int)
MATCH ()-[r]->()
RETURN count(r) AS rels
