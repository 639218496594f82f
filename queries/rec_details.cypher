// Display fields of candidate enterprises plus their degree in one relationship type
// (template: {rel}) for the popularity signal.
// Parameters: $ids (list of enterprise ids)
// Returns: id, name, region_code, size_class, tiers, degree (int)
UNWIND $ids AS cid
MATCH (c:Enterprise {id: cid})
OPTIONAL MATCH (c)-[r:{rel}]-()
RETURN c.id AS id, c.name AS name, c.region_code AS region_code, c.size_class AS size_class,
       c.tiers AS tiers, count(r) AS degree
