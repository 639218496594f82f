// How many relationships of one type exist (whether a type is new to the store).
// Template: {rel} is a backtick-quoted relationship type from the schema.
// Parameters: none
// Returns: n
MATCH ()-[r:{rel}]->()
RETURN count(r) AS n
