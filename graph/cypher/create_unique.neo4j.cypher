// Create a uniqueness constraint if absent. Template: {label}, {prop}, {name} from the schema.
// Parameters: none. Returns: nothing.
CREATE CONSTRAINT {name} IF NOT EXISTS FOR (n:{label}) REQUIRE n.{prop} IS UNIQUE
