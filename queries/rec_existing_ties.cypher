// Enterprises already tied to the enterprise by one relationship type, either direction
// (template: {rel} is a quoted type); they are excluded from recommendations.
// Parameters: $id (enterprise id)
// Returns: id
MATCH (e:Enterprise {id: $id})-[:{rel}]-(c:Enterprise)
RETURN DISTINCT c.id AS id
