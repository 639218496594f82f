// How many times the product's writers have deleted relationships (ingest --prune, review
// merges; graph/cypher/ties_deleted_note.cypher): with rec_generation's count, the structural
// generation of the recommender's aggregates (a deletion plus a creation keeps the count).
// Parameters: none
// Returns: deleted (int; 0 before the first deletion)
OPTIONAL MATCH (m:Meta {id: 'ties'})
RETURN coalesce(m.deleted, 0) AS deleted
