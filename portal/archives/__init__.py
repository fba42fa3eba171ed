"""The holding archives (Trung tâm Lưu trữ lịch sử) of the 34 provinces: their descriptions, shaped after
ISDIAH, the pages that show them (one an archive, the list and map of all 34) and their admins' edits.

Reads records only through the record service (so through the permission filter); imports no indexer code.
"""
