"""Creators (cơ quan, đơn vị hình thành phông; người, gia đình): authority records shaped after ISAAR(CPF),
reconciled from the creator names the sources send, their pages, their EAC-CPF export and their admins' merges
and splits.

Reads records only through the record search with the one permission filter (portal.access); keeps its own
tables in the database; imports no indexer code.
"""
