// Count a deletion of relationships by the product's own writers (ingest --prune, a review
// merge moving an enterprise's ties) on the :Meta {id: 'ties'} node. Caches keyed on the
// relationship count (the recommender's aggregates and tie graph) miss a deletion followed by
// a creation, which leaves the count as it was; they read this counter beside it.
// Parameters: none
// Returns: deleted (int, deletions counted so far)
MERGE (m:Meta {id: 'ties'})
SET m.deleted = coalesce(m.deleted, 0) + 1
RETURN m.deleted AS deleted
