// Every fact about one enterprise: products (with chain positions), capabilities, needs,
// resources, partners (both directions) and its region, each with the relationship's
// provenance fields.
// Parameters: $id (enterprise id)
// Returns: kind, rel (relationship type), direction ('out'|'in'), other (map of the other
//          node's properties), props (map of the relationship's properties), chain_id,
//          chain_name, segment, about (name of what a need is about)
MATCH (e:Enterprise {id: $id})-[r:PRODUCES]->(p:Product)
OPTIONAL MATCH (p)-[:IN_SEGMENT]->(s:Segment)-[:PART_OF]->(c:Chain)
RETURN 'product' AS kind, 'PRODUCES' AS rel, 'out' AS direction, properties(p) AS other,
       properties(r) AS props, c.id AS chain_id, c.name AS chain_name, s.name AS segment,
       null AS about
UNION ALL
MATCH (e:Enterprise {id: $id})-[r:HAS_CAPABILITY]->(k:Capability)
RETURN 'capability' AS kind, 'HAS_CAPABILITY' AS rel, 'out' AS direction, properties(k) AS other,
       properties(r) AS props, null AS chain_id, null AS chain_name, null AS segment,
       null AS about
UNION ALL
MATCH (e:Enterprise {id: $id})-[r:NEEDS]->(n:Need)
OPTIONAL MATCH (n)-[:ABOUT]->(x)
RETURN 'need' AS kind, 'NEEDS' AS rel, 'out' AS direction, properties(n) AS other,
       properties(r) AS props, null AS chain_id, null AS chain_name, null AS segment,
       x.name AS about
UNION ALL
MATCH (e:Enterprise {id: $id})-[r:OFFERS]->(x:Resource)
RETURN 'resource' AS kind, 'OFFERS' AS rel, 'out' AS direction, properties(x) AS other,
       properties(r) AS props, null AS chain_id, null AS chain_name, null AS segment,
       null AS about
UNION ALL
MATCH (e:Enterprise {id: $id})-[r:SUPPLIES|COOPERATES_WITH|INVESTS_IN|CONTROLS|COMPETES_WITH]->(x:Enterprise)
RETURN 'partner' AS kind, type(r) AS rel, 'out' AS direction, properties(x) AS other,
       properties(r) AS props, null AS chain_id, null AS chain_name, null AS segment,
       null AS about
UNION ALL
MATCH (e:Enterprise {id: $id})<-[r:SUPPLIES|COOPERATES_WITH|INVESTS_IN|CONTROLS|COMPETES_WITH]-(x:Enterprise)
RETURN 'partner' AS kind, type(r) AS rel, 'in' AS direction, properties(x) AS other,
       properties(r) AS props, null AS chain_id, null AS chain_name, null AS segment,
       null AS about
UNION ALL
MATCH (e:Enterprise {id: $id})-[r:LOCATED_IN]->(g:Region)
RETURN 'region' AS kind, 'LOCATED_IN' AS rel, 'out' AS direction, properties(g) AS other,
       properties(r) AS props, null AS chain_id, null AS chain_name, null AS segment,
       null AS about
