// Every enterprise's id and the fields the recommender shows or scores with (the in-memory
// tie graph, ``queries/tiegraph.py``, reads them once per change of the graph).
// Parameters: none
// Returns: id, name, region_code, size_class, tiers
MATCH (e:Enterprise)
RETURN e.id AS id, e.name AS name, e.region_code AS region_code, e.size_class AS size_class,
       e.tiers AS tiers
