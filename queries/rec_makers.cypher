// Every maker of some products, with its size class (chain adjacency candidates); cached
// per product by the recommender until the graph changes.
// Parameters: $ids (list of product ids)
// Returns: product (id), id (enterprise id), size_class
UNWIND $ids AS pid
MATCH (p:Product {id: pid})
WITH p
MATCH (c:Enterprise)-[:PRODUCES]->(p)
RETURN p.id AS product, c.id AS id, c.size_class AS size_class
