// Which of Need, Product or Capability carries this id (each lookup uses its id index).
// Parameters: $about (node id)
// Returns: label ('Need', 'Product' or 'Capability'), name; no row when none matches
OPTIONAL MATCH (n:Need {id: $about})
OPTIONAL MATCH (p:Product {id: $about})
OPTIONAL MATCH (c:Capability {id: $about})
WITH n, p, c
WHERE n IS NOT NULL OR p IS NOT NULL OR c IS NOT NULL
RETURN CASE WHEN n IS NOT NULL THEN 'Need' WHEN p IS NOT NULL THEN 'Product'
            ELSE 'Capability' END AS label,
       CASE WHEN n IS NOT NULL THEN n.name WHEN p IS NOT NULL THEN p.name
            ELSE c.name END AS name
