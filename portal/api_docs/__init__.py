"""The OpenAPI 3.1 document of the JSON API (`GET /api/v1/openapi.json`) and the route serving it.

It describes the search, record, suggestion and health endpoints as they answer today. It may
import `schema` and the search package's constants (levels, access levels, sorts, facets), so
the document cannot drift from the code it describes; it never talks to OpenSearch.
"""
