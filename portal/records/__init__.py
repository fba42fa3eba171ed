"""Record pages and the record API: one record as the caller may see it, with its place in
the hierarchy (ancestors, children), its fonds's finding-aid tree (`tree`, level by level) and
related records in other fonds (`related`)."""
