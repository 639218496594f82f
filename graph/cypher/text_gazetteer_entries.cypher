// Names the text gazetteer matches (ingest/text/gazetteer.py): enterprises with their
// short names and aliases, products and capabilities.
// Parameters: none
// Returns: label ('Enterprise'|'Product'|'Capability'), id, name, short_name, aliases
MATCH (e:Enterprise)
RETURN 'Enterprise' AS label, e.id AS id, e.name AS name, e.short_name AS short_name,
       e.aliases AS aliases
UNION ALL
MATCH (p:Product)
RETURN 'Product' AS label, p.id AS id, p.name AS name, null AS short_name, null AS aliases
UNION ALL
MATCH (c:Capability)
RETURN 'Capability' AS label, c.id AS id, c.name AS name, null AS short_name, null AS aliases
