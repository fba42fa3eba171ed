"""Pages for staff and admins only: sources (seen, added, changed, enabled or disabled, a run asked
for), harvest runs, users and their roles. May import `schema`, `portal.access`, `portal.audit`,
`portal.auth` and `portal.database`; never the indexer (a run asked for waits in the database for
`flask harvest --due`)."""
