// Indexes that are not ready yet (a restarted FalkorDB rebuilds every index in the
// background; until then its queries scan labels). Parameters: none.
// Returns: label, status (anything but OPERATIONAL)
CALL db.indexes() YIELD label, status
WITH label, status WHERE status <> 'OPERATIONAL'
RETURN label, status
