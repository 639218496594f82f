// Every division's code and full name, read with the search index so that each search
// item can name its firm's division (``region_name``); a few thousand rows at most.
// Parameters: none
// Returns: code, full_name
MATCH (r:Region)
RETURN r.code AS code, r.full_name AS full_name
