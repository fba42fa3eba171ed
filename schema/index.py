"""The OpenSearch index of records: its names, analysis and mapping (DESIGN §2–3).

Readers use one alias; each source writes to its own physical index behind it, so one
province can be rebuilt beside the old index and swapped in without downtime.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

RECORDS_ALIAS = "records"


def alias_name(prefix: str = "") -> str:
    return f"{prefix}{RECORDS_ALIAS}"


def tombstone_index_name(prefix: str = "") -> str:
    """The index remembering the records that left the readers' index (and those that became closed), for
    the OAI-PMH provider's persistent deletions. Not behind the alias; no source index has this name (theirs
    end in a generation)."""
    return f"{prefix}{RECORDS_ALIAS}-tombstones"


def file_texts_index_name(prefix: str = "") -> str:
    """The index of text already extracted from a file, by the SHA-256 of its bytes (indexer/file_texts.py).
    Not behind the alias and never read by the portal."""
    return f"{prefix}file-texts"


def source_index_pattern(prefix: str, source_id: str) -> str:
    return f"{prefix}{RECORDS_ALIAS}-{_index_safe(source_id)}-*"


def source_index_name(prefix: str, source_id: str, generation: str) -> str:
    return f"{prefix}{RECORDS_ALIAS}-{_index_safe(source_id)}-{generation}"


def _index_safe(source_id: str) -> str:
    # Index names must be lower case without most punctuation.
    return re.sub(r"[^a-z0-9_]+", "_", source_id.lower())


# Vietnamese is written with diacritics that carry meaning (Hòa ≠ Hóa), but people often type
# without them. Every searchable text field is indexed twice: exact (lower-cased, diacritics
# kept) and folded (diacritics removed, đ → d). Text is NFC-normalised before indexing.
ANALYSIS = {
    "analyzer": {
        "vi_exact": {"type": "custom", "tokenizer": "standard", "filter": ["lowercase"]},
        "vi_folded": {
            "type": "custom",
            "tokenizer": "standard",
            "filter": ["lowercase", "asciifolding"],
        },
    },
    "normalizer": {
        "folded_keyword": {"type": "custom", "filter": ["lowercase", "asciifolding"]},
    },
}


def _text(**extra):
    """A text field indexed exact, with a folded sub-field."""
    field = {
        "type": "text",
        "analyzer": "vi_exact",
        "fields": {"folded": {"type": "text", "analyzer": "vi_folded"}},
    }
    field.update(extra)
    return field


def _text_and_keyword():
    field = _text()
    field["fields"]["raw"] = {"type": "keyword", "ignore_above": 512}
    return field


def _keyword_and_text():
    return {
        "type": "keyword",
        "fields": {
            "text": {"type": "text", "analyzer": "vi_exact"},
            "folded": {"type": "text", "analyzer": "vi_folded"},
        },
    }


MAPPINGS = {
    "dynamic": "strict",
    "properties": {
        "id": {"type": "keyword"},
        "source_id": {"type": "keyword"},
        "local_id": {"type": "keyword"},
        "holding_province": {"type": "keyword"},
        "holding_province_name": _text_and_keyword(),
        "origin_province": {"type": "keyword"},
        "origin_province_name": _text_and_keyword(),
        "origin_province_current": {"type": "keyword"},
        "level": {"type": "keyword"},
        "parent_id": {"type": "keyword"},
        "path": {"type": "keyword"},
        "reference_code": _keyword_and_text(),
        "title": _text_and_keyword(),
        "description": _text(),
        "creator": _text_and_keyword(),
        "creator_type": {"type": "keyword"},  # corporateBody, person or family (EAC-CPF's entityType)
        "signer": _text_and_keyword(),
        "doc_number": _keyword_and_text(),
        "doc_type": _text_and_keyword(),
        "date_start": {"type": "date", "format": "strict_date_optional_time||yyyy-MM||yyyy"},
        "date_end": {"type": "date", "format": "strict_date_optional_time||yyyy-MM||yyyy"},
        "year_start": {"type": "integer"},
        "year_end": {"type": "integer"},
        "language": {"type": "keyword"},
        "sheets": {"type": "integer"},
        "pages": {"type": "integer"},
        "retention": {"type": "keyword"},
        "access": {"type": "keyword"},
        "access_reason": {"type": "text", "analyzer": "vi_exact"},
        "open_after": {"type": "date"},
        "reliability": {"type": "keyword"},
        "paper_original_code": {"type": "keyword"},
        "fonds_status": {"type": "keyword"},
        "admin_history": _text(),
        "extent": {"type": "text", "analyzer": "vi_exact"},
        "subjects": _keyword_and_text(),
        "places": _keyword_and_text(),
        "keywords": _keyword_and_text(),
        "files": {
            "type": "object",
            "properties": {
                "name": {"type": "keyword"},
                "url": {"type": "keyword", "index": False},
                # A file of a package: its package under the source's done/ folder, then its path inside.
                "package_path": {"type": "keyword", "index": False},
                "media_type": {"type": "keyword"},
                "size": {"type": "long"},
                "sha256": {"type": "keyword"},
                "text_extracted": {"type": "boolean"},
                "extraction_error": {"type": "keyword", "index": False},
                # Where the text came from: "embedded" (the file's own), "ocr" (Tesseract read a scan), "mixed".
                "text_source": {"type": "keyword"},
                "ocr_confidence": {"type": "float"},  # Tesseract's mean word confidence, 0-100
                "signature": {
                    "type": "object",
                    "properties": {
                        "status": {"type": "keyword"},
                        "signer": {"type": "keyword"},
                        "signed_at": {"type": "date"},
                    },
                },
            },
        },
        # File links the harvester did not fetch (outside the source's file hosts): plain references.
        "links": {"type": "keyword", "index": False},
        # Full text for search and highlighting; never returned to one who may not read it.
        "content": _text(),
        "source_url": {"type": "keyword", "index": False},
        "harvested_at": {"type": "date"},
        # When what the record says last changed (schema.record.content_hash, kept beside it): the OAI-PMH
        # datestamp. A re-harvest that finds the same content leaves it as it was.
        "changed_at": {"type": "date"},
        "content_hash": {"type": "keyword", "index": False, "doc_values": False},
        "source_datestamp": {"type": "date"},
        "deleted": {"type": "boolean"},
    },
}

INDEX_BODY = {
    "settings": {
        "number_of_shards": 1,
        "number_of_replicas": 0,
        "analysis": ANALYSIS,
        "highlight.max_analyzed_offset": 2_000_000,
    },
    "mappings": MAPPINGS,
}


@dataclass(frozen=True)
class IndexLayout:
    """How a source's index is spread: primary shards, and copies of each on other nodes (0 on one node:
    a replica could never be placed; 1 on a cluster, so losing a node loses no shard). From the
    configuration (OPENSEARCH_SHARDS, OPENSEARCH_REPLICAS)."""

    shards: int = 1
    replicas: int = 0

    def body(self) -> dict:
        return {**INDEX_BODY, "settings": {**INDEX_BODY["settings"], "number_of_shards": self.shards,
                                           "number_of_replicas": self.replicas}}


# A tombstone: what the permission filter and the OAI-PMH sets need of a record that left the index, and when
# (`changed_at`, the datestamp of its deletion). Its access is the record's last one that readers could see.
TOMBSTONE_FIELDS = ("id", "source_id", "holding_province", "level", "parent_id", "path", "access", "open_after")
TOMBSTONE_BODY = {
    "settings": {"number_of_shards": 1, "number_of_replicas": 0},
    "mappings": {
        "dynamic": "strict",
        "properties": {
            **{name: MAPPINGS["properties"][name] for name in TOMBSTONE_FIELDS},
            "changed_at": {"type": "date"},
            "deleted": {"type": "boolean"},
        },
    },
}


# A file's extracted text and what its `files[]` entry says of the extraction, one document a SHA-256 (its id).
# Only kept, never searched: the text is not indexed. `limits` names the extraction limits it was read under.
FILE_TEXTS_BODY = {
    "settings": {"number_of_shards": 1, "number_of_replicas": 0},
    "mappings": {
        "dynamic": "strict",
        "properties": {
            "text": {"type": "text", "index": False},
            "text_source": {"type": "keyword"},
            "ocr_confidence": {"type": "float"},
            "ocr_skipped": {"type": "keyword", "index": False},
            "limits": {"type": "keyword"},
            "extracted_at": {"type": "date"},
        },
    },
}
