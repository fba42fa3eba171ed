"""Record pages and the record API: one record as the caller may see it, with its place in
the hierarchy (ancestors, children)."""
