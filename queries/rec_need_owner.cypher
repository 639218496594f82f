// Who holds a need given by its Need id, or whether the enterprise has a need of that name:
// asked only when a need matched no supplier, product or capability (to tell the user why).
// Parameters: $id (enterprise id), $need (string)
// Returns: owner (id of an enterprise holding such a need)
MATCH (n:Need {id: $need})<-[:NEEDS]-(o:Enterprise)
RETURN o.id AS owner
UNION
MATCH (e:Enterprise {id: $id})
WITH e
MATCH (e)-[:NEEDS]->(n:Need)
WHERE n.name = $need
RETURN e.id AS owner
