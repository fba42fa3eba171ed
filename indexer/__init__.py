"""Harvesting: read each province's archive system, extract the files' text with Tika, map
to the record schema and write to OpenSearch.

Stages, after CKAN's harvester: gather (list the source), fetch (read each record and its
files), import (map and write), one module each in stages/, conducted by harvest.py; stages/dispatch.py
shares a run's pages among processes (page tasks, whose queue the caller supplies). It imports `schema` and never Flask nor the portal; callers
hand it a database session, an OpenSearch client and a text extractor (text_extraction.py, which
reads scans through Tika's OCR: ocr.py says what is asked of it, tika_xhtml.py reads the answer);
file_texts.py keeps what Tika read by the file's checksum, so that bytes read once are not read again.
"""
