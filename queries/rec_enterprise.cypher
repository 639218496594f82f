// The enterprise a recommendation is for: its display fields.
// Parameters: $id (enterprise id)
// Returns: id, name, region_code, size_class, tiers
MATCH (e:Enterprise {id: $id})
RETURN e.id AS id, e.name AS name, e.region_code AS region_code, e.size_class AS size_class,
       e.tiers AS tiers
