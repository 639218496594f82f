// The enterprise a recommendation is for: its display fields and the enterprises already
// tied to it by one relationship type, either direction (template: {rel} is a quoted type;
// they are excluded from its recommendations). One round trip for both.
// Parameters: $id (enterprise id)
// Returns: id, name, region_code, size_class, tiers, ties (list of enterprise ids)
MATCH (e:Enterprise {id: $id})
OPTIONAL MATCH (e)-[:{rel}]-(c:Enterprise)
RETURN e.id AS id, e.name AS name, e.region_code AS region_code, e.size_class AS size_class,
       e.tiers AS tiers, collect(DISTINCT c.id) AS ties
