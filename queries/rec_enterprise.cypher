// The enterprise a recommendation is for: its display fields, the enterprises already tied
// to it by one relationship type, either direction (template: {rel} is a quoted type; they
// are excluded from its recommendations), what it makes and its industries. One round trip.
// Parameters: $id (enterprise id)
// Returns: id, name, region_code, size_class, tiers, ties (enterprise ids), products
//          (product ids), industries (industry ids)
MATCH (e:Enterprise {id: $id})
OPTIONAL MATCH (e)-[:{rel}]-(c:Enterprise)
WITH e, collect(DISTINCT c.id) AS ties
OPTIONAL MATCH (e)-[:PRODUCES]->(p:Product)
WITH e, ties, collect(DISTINCT p.id) AS products
OPTIONAL MATCH (e)-[:IN_INDUSTRY]->(i:Industry)
RETURN e.id AS id, e.name AS name, e.region_code AS region_code, e.size_class AS size_class,
       e.tiers AS tiers, ties, products, collect(DISTINCT i.id) AS industries
