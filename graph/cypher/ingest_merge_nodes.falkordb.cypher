// Upsert nodes of one allow-listed label keyed on id, with the run's shared provenance.
// FalkorDB variant: the provenance strings, the same for every record of a run, are
// interned (one shared copy in the server instead of one per node: ~20% less attribute
// memory at 1M nodes); values and order of assignment are those of ingest_merge_nodes.cypher.
// Template: {label} is a backtick-quoted label from the schema (filled by ingest.job).
// Parameters: $rows = [{id: string, props: map}], $common = map (props every row of the
//   batch shares, sent once), $now (ISO-8601 time with microseconds),
//   $prov = map (source, run_id, ingested_at, method, confidence, as_of; synthetic, when
//   set, travels in each row's props or in $common)
// sources: every source that asserts the record (this one added once, first, before
//   source is overwritten: a store from before sources starts from its source).
// Returns: written
UNWIND $rows AS row
MERGE (n:{label} {id: row.id})
ON CREATE SET n.first_seen = intern($now)
SET n.sources = CASE WHEN n.sources IS NULL THEN
                   CASE WHEN n.source IS NULL OR n.source = $prov.source THEN [$prov.source]
                        ELSE [n.source, $prov.source] END
                 WHEN $prov.source IN n.sources THEN n.sources
                 ELSE n.sources + [$prov.source] END,
    n.source = intern($prov.source), n.run_id = intern($prov.run_id),
    n.ingested_at = intern($prov.ingested_at), n.method = intern($prov.method),
    n.confidence = $prov.confidence, n.as_of = intern($prov.as_of), n += $common, n += row.props
RETURN count(n) AS written
