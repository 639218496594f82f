// A cheap fingerprint of what the text gazetteer is built from (ingest/text/gazetteer.py).
// Parameters: none
// Returns: enterprises, products, capabilities (counts), last_run (greatest IngestRun id or null)
OPTIONAL MATCH (r:IngestRun)
WITH max(r.id) AS last_run
OPTIONAL MATCH (e:Enterprise)
WITH last_run, count(e) AS enterprises
OPTIONAL MATCH (p:Product)
WITH last_run, enterprises, count(p) AS products
OPTIONAL MATCH (c:Capability)
RETURN enterprises, products, count(c) AS capabilities, last_run
