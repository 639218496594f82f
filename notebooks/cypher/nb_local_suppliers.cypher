// Local suppliers per product node of one chain: makers in the region (by code prefix),
// of which small or micro firms, against all makers anywhere.
// Parameters: $chain_id, $prefix (region code prefix, e.g. '1302' for 唐山市)
// Returns: seg_order, segment, product_id, product, makers, local_makers, local_small
MATCH (:Chain {id: $chain_id})<-[:PART_OF]-(s:Segment)<-[:IN_SEGMENT]-(p:Product)
OPTIONAL MATCH (e:Enterprise)-[:PRODUCES]->(p)
RETURN s.order AS seg_order, s.name AS segment, p.id AS product_id, p.name AS product,
       count(e) AS makers,
       sum(CASE WHEN e.region_code STARTS WITH $prefix THEN 1 ELSE 0 END) AS local_makers,
       sum(CASE WHEN e.region_code STARTS WITH $prefix AND e.size_class IN ['小型', '微型']
                THEN 1 ELSE 0 END) AS local_small
ORDER BY seg_order, product_id
