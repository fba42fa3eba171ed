"""Search: parsing the request's parameters, building the OpenSearch query (a chain of small
interpreters, each given the identity), shaping the results, and the pages and JSON API.
"""
