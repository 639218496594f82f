// Industry pairs of one relationship type's ties (template: {rel}, a quoted type): for every
// tie (h)-[:{rel}]->(t) between enterprises, each industry of h with each industry of t,
// counted. The recommender's industry-affinity signal ("firms of industry A often cooperate
// with firms of industry B") is read off these counts; a full scan, cached by the service
// until the graph changes.
// Parameters: none
// Returns: a (industry id of the start), b (industry id of the end), n (ties)
MATCH (h:Enterprise)-[:{rel}]->(t:Enterprise)
MATCH (h)-[:IN_INDUSTRY]->(i:Industry)
MATCH (t)-[:IN_INDUSTRY]->(j:Industry)
RETURN i.id AS a, j.id AS b, count(*) AS n
