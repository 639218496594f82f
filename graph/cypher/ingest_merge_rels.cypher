// Upsert relationships of one type between nodes matched by id, with shared provenance.
// Template: {start}, {end}, {rel} are backtick-quoted names from the schema.
// Parameters: $rows = [{start: string, end: string, key: string, props: map}],
//   $common = map (props every row of the batch shares, sent once), $prov = map
// sources: every source that asserts the record (this one added once, first, before
//   source is overwritten: a store from before sources starts from its source).
// Returns: matched (rows whose both ends exist)
UNWIND $rows AS row
MATCH (a:{start} {id: row.start})
MATCH (b:{end} {id: row.end})
MERGE (a)-[r:{rel} {key: row.key}]->(b)
SET r.sources = CASE WHEN r.sources IS NULL THEN
                   CASE WHEN r.source IS NULL OR r.source = $prov.source THEN [$prov.source]
                        ELSE [r.source, $prov.source] END
                 WHEN $prov.source IN r.sources THEN r.sources
                 ELSE r.sources + [$prov.source] END,
    r += $prov, r += $common, r += row.props
RETURN count(r) AS matched
