// Display fields of candidate enterprises (the short list that can still reach the top).
// Parameters: $ids (list of enterprise ids)
// Returns: id, name, region_code, size_class, tiers
UNWIND $ids AS cid
MATCH (c:Enterprise {id: cid})
RETURN c.id AS id, c.name AS name, c.region_code AS region_code, c.size_class AS size_class,
       c.tiers AS tiers
