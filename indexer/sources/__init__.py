"""One module a kind of source; each yields harvested records, oldest datestamp first."""
