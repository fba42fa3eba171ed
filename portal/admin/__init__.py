"""Pages for staff and admins only: sources, harvest runs, users and their roles."""
