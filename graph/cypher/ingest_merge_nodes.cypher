// Upsert nodes of one allow-listed label keyed on id, with the run's shared provenance.
// Template: {label} is a backtick-quoted label from the schema (filled by ingest.job).
// Parameters: $rows = [{id: string, props: map}], $common = map (props every row of the
//   batch shares, sent once), $now (ISO-8601 time with microseconds),
//   $prov = map (source, run_id, ingested_at, method, as_of, …: the same for every row, so
//   sent once per batch)
// sources: every source that asserts the record (this one added once, first, before
//   source is overwritten: a store from before sources starts from its source).
// Returns: written
// first_seen is set once, when the node is created: "which of two same-named records came
// first" must not depend on the engine's internal ids (they are reused after deletes).
UNWIND $rows AS row
MERGE (n:{label} {id: row.id})
ON CREATE SET n.first_seen = $now
SET n.sources = CASE WHEN n.sources IS NULL THEN
                   CASE WHEN n.source IS NULL OR n.source = $prov.source THEN [$prov.source]
                        ELSE [n.source, $prov.source] END
                 WHEN $prov.source IN n.sources THEN n.sources
                 ELSE n.sources + [$prov.source] END,
    n += $prov, n += $common, n += row.props
RETURN count(n) AS written
