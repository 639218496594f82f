// Content hashes of existing nodes of one label, to tell created/updated/unchanged apart.
// Template: {label} is a backtick-quoted label from the schema (filled by ingest.job).
// Parameters: $ids = [string], $source = string (the run's source)
// Returns: id, hash (content_hash, may be null), as_of, held (whether $source is already
//   among the node's sources: an unchanged node that another source wrote gains it)
UNWIND $ids AS id
MATCH (n:{label} {id: id})
RETURN n.id AS id, n.content_hash AS hash, n.as_of AS as_of,
       coalesce($source IN n.sources, n.source = $source, false) AS held
