"""Who may see what: roles as data, the identity of the caller, and the one permission
policy that every search, count, facet, highlight and record fetch goes through (DESIGN §4).
"""
