"""What the portal and the indexer share, and nothing else: the record schema, the index
mapping and names, the province tables, and the database tables both of them touch.

It may import SQLAlchemy and the province libraries; never Flask, never portal or indexer.
"""
