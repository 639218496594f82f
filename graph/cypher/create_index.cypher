// Create an exact-match index. Template: {label} quoted from the schema, {prop} an identifier.
// Parameters: none. Returns: nothing.
CREATE INDEX FOR (n:{label}) ON (n.{prop})
