// Per product node of a chain: its segment, how many producers lie inside the region (by
// size class and by tier) and outside it — counted in the engine, one row per node.
// Parameters: $chain_id (string), $prefix (region code prefix, e.g. '1302')
// Returns: chain_id, chain_name, segment, segment_order, product_id, product_name,
//          local_count, l_large, l_medium, l_small, l_micro (ints: local producers per size
//          class), l_tiered (local producers with any tier), t_leader, t_sme, t_giant,
//          t_champion, t_hightech (local producers per tier), external_count,
//          extension (bool: the chain marks this product as a 延链 target)
MATCH (c:Chain {id: $chain_id})<-[:PART_OF]-(s:Segment)<-[m:IN_SEGMENT]-(p:Product)
OPTIONAL MATCH (e:Enterprise)-[:PRODUCES]->(p)
WITH c, s, p, coalesce(m.extension, false) AS extension, e,
     e IS NOT NULL AND coalesce(e.region_code, '') STARTS WITH $prefix AS local,
     coalesce(e.tiers, []) AS tiers
RETURN c.id AS chain_id, c.name AS chain_name, s.name AS segment, s.order AS segment_order,
       p.id AS product_id, p.name AS product_name, extension,
       sum(CASE WHEN local THEN 1 ELSE 0 END) AS local_count,
       sum(CASE WHEN local AND e.size_class = '大型' THEN 1 ELSE 0 END) AS l_large,
       sum(CASE WHEN local AND e.size_class = '中型' THEN 1 ELSE 0 END) AS l_medium,
       sum(CASE WHEN local AND e.size_class = '小型' THEN 1 ELSE 0 END) AS l_small,
       sum(CASE WHEN local AND e.size_class = '微型' THEN 1 ELSE 0 END) AS l_micro,
       sum(CASE WHEN local AND size(tiers) > 0 THEN 1 ELSE 0 END) AS l_tiered,
       sum(CASE WHEN local AND '链主企业' IN tiers THEN 1 ELSE 0 END) AS t_leader,
       sum(CASE WHEN local AND '专精特新中小企业' IN tiers THEN 1 ELSE 0 END) AS t_sme,
       sum(CASE WHEN local AND '专精特新小巨人' IN tiers THEN 1 ELSE 0 END) AS t_giant,
       sum(CASE WHEN local AND '制造业单项冠军' IN tiers THEN 1 ELSE 0 END) AS t_champion,
       sum(CASE WHEN local AND '高新技术企业' IN tiers THEN 1 ELSE 0 END) AS t_hightech,
       sum(CASE WHEN e IS NOT NULL AND NOT local THEN 1 ELSE 0 END) AS external_count
