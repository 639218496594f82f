// Create an exact-match index if absent. Template: {label}, {prop}, {name} from the schema.
// Parameters: none. Returns: nothing.
CREATE INDEX {name} IF NOT EXISTS FOR (n:{label}) ON (n.{prop})
