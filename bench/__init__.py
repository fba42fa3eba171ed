"""Benchmarks that print figures; never timed tests.

`generate` fills a `bench-` index with synthetic Vietnamese archival records, `queries` holds the
seeded mix of searches, `search` runs it through the portal and straight against OpenSearch;
`harvest` measures the harvester against the tools it stands on; `ocr` the OCR of the demo's scans.
May import `schema` and the portal's public pieces (the query chain, the app factory); nothing in
the portal or the indexer imports this package.
"""
