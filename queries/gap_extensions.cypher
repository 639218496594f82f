// Products directly up- or downstream (UPSTREAM_OF) of a chain's products that lie outside
// the chain and that no firm in the region makes (延链 opportunities), with their producers.
// An EXISTS subquery looks for one local producer and stops there (most outside products
// have hundreds; 2.6x faster on Neo4j at 100k firms than collecting them all); FalkorDB,
// without EXISTS subqueries, has its own variant (gap_extensions.falkordb.cypher).
// Parameters: $chain_id (string), $prefix (region code prefix)
// Returns: product_id, direction ('upstream'|'downstream' relative to the chain product),
//          other_id, other_name, producers (list of {id, name, region_code, size_class, tiers})
MATCH (c:Chain {id: $chain_id})<-[:PART_OF]-(:Segment)<-[:IN_SEGMENT]-(p:Product)
MATCH (p)-[u:UPSTREAM_OF]-(q:Product)
WHERE NOT (q)-[:IN_SEGMENT]->(:Segment {chain_id: $chain_id})
  AND NOT EXISTS { MATCH (l:Enterprise)-[:PRODUCES]->(q)
                   WHERE coalesce(l.region_code, '') STARTS WITH $prefix }
WITH p, q, CASE WHEN startNode(u) = q THEN 'upstream' ELSE 'downstream' END AS direction
OPTIONAL MATCH (e:Enterprise)-[:PRODUCES]->(q)
WITH p, q, direction, collect(e) AS es
RETURN p.id AS product_id, direction, q.id AS other_id, q.name AS other_name,
       [x IN es | {id: x.id, name: x.name, region_code: x.region_code,
                   size_class: x.size_class, tiers: x.tiers}] AS producers
