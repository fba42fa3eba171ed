"""Search: parsing the request's parameters, building the OpenSearch query (a chain of small
interpreters, each given the identity), shaping the results (phrase marks, likely twins, a better
spelling checked under the permission filter, the active filters), and the pages and JSON API.
"""
