"""One module a metadata format; each turns a harvested record into the record schema."""
