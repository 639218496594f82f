// Every chain with how many segments it has and how many distinct enterprises make one of its products.
// Parameters: none
// Returns: id, name, home_region, segments (int), enterprises (int)
MATCH (c:Chain)
OPTIONAL MATCH (s:Segment)-[:PART_OF]->(c)
WITH c, count(DISTINCT s) AS segments
OPTIONAL MATCH (e:Enterprise)-[:PRODUCES]->(:Product)-[:IN_SEGMENT]->(:Segment)-[:PART_OF]->(c)
RETURN c.id AS id, c.name AS name, c.home_region AS home_region, segments,
       count(DISTINCT e) AS enterprises
ORDER BY id
