// Upsert relationships of one type between nodes matched by id, with shared provenance.
// FalkorDB variant: provenance strings and the key are interned (shared by every
// relationship of a run instead of copied into each); values and order of assignment
// are those of ingest_merge_rels.cypher.
// Template: {start}, {end}, {rel} are backtick-quoted names from the schema.
// Parameters: $rows = [{start: string, end: string, key: string, props: map}],
//   $common = map (props every row of the batch shares, sent once), $prov = map
//   (source, run_id, ingested_at, method, confidence, as_of; synthetic, when set,
//   travels in each row's props or in $common)
// sources: every source that asserts the record (this one added once, first, before
//   source is overwritten: a store from before sources starts from its source).
// Returns: matched (rows whose both ends exist)
UNWIND $rows AS row
MATCH (a:{start} {id: row.start})
MATCH (b:{end} {id: row.end})
MERGE (a)-[r:{rel} {key: intern(row.key)}]->(b)
SET r.sources = CASE WHEN r.sources IS NULL THEN
                   CASE WHEN r.source IS NULL OR r.source = $prov.source THEN [$prov.source]
                        ELSE [r.source, $prov.source] END
                 WHEN $prov.source IN r.sources THEN r.sources
                 ELSE r.sources + [$prov.source] END,
    r.source = intern($prov.source), r.run_id = intern($prov.run_id),
    r.ingested_at = intern($prov.ingested_at), r.method = intern($prov.method),
    r.confidence = $prov.confidence, r.as_of = intern($prov.as_of), r += $common, r += row.props
RETURN count(r) AS matched
