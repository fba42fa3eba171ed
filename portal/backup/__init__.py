"""Backups of what the portal keeps: the records index (OpenSearch snapshots to a filesystem repository)
and the database (pg_dump, or SQLite's backup API). `flask index snapshot|restore` and
`flask db backup|restore`; README "Backups" gives the procedure."""
