// Upsert nodes of one allow-listed label keyed on id, with the run's shared provenance.
// Template: {label} is a backtick-quoted label from the schema (filled by ingest.job).
// Parameters: $rows = [{id: string, props: map}], $prov = map (source, run_id, ingested_at,
//   method, as_of, …: the same for every row, so sent once per batch)
// Returns: written
UNWIND $rows AS row
MERGE (n:{label} {id: row.id})
SET n += $prov, n += row.props
RETURN count(n) AS written
