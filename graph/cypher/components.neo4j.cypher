// Server name and version. Parameters: none. Returns: name, version
CALL dbms.components() YIELD name, versions
RETURN name, versions[0] AS version
