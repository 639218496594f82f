// SUPPLIES degree of every enterprise: how many firms it supplies and is supplied by.
// Parameters: none
// Returns: id, name, size_class, region_code, out_degree (buyers), in_degree (suppliers)
MATCH (e:Enterprise)
OPTIONAL MATCH (e)-[o:SUPPLIES]->(:Enterprise)
WITH e, count(o) AS out_degree
OPTIONAL MATCH (e)<-[i:SUPPLIES]-(:Enterprise)
RETURN e.id AS id, e.name AS name, e.size_class AS size_class, e.region_code AS region_code,
       out_degree, count(i) AS in_degree
ORDER BY id
