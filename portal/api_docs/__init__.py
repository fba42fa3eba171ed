"""The OpenAPI 3.1 document of the JSON API (`GET /api/v1/openapi.json`) and the route serving it.

It describes the search, suggestion, export, record, citation and health endpoints as they
answer today. It may import `schema` and the constants of `portal.search` and `portal.export`
(levels, access levels, sorts, facets, formats, limits), so the document follows the code it
describes; it never talks to OpenSearch. Nothing imports it but the app factory.
"""
