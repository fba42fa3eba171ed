"""The OpenAPI 3.1 document of the JSON API, built as Python data (DESIGN §8).

Enumerations, limits and facet names come from the code that enforces them, so the document
says what the API does rather than what it once did. Objects the services may grow stay open
(`additionalProperties` allowed); only what is always there is `required`.
"""
from __future__ import annotations

from portal.creators.models import MAX_CREATOR_ID
from portal.export.citation import CITATION_FORMATS, DEFAULT_CITATION_FORMAT
from portal.export.finding_aid import MAX_COMPONENTS
from portal.export.finding_aid_formats import DEFAULT_FINDING_AID_FORMAT, FINDING_AID_FORMATS
from portal.export.results import DEFAULT_EXPORT_FORMAT, EXPORT_COLUMNS, EXPORT_FORMATS, EXPORT_LIMIT
from portal.search.facets import FACETS, YEAR_FACET, YEAR_INTERVAL
from portal.search.params import FIELD_QUERIES, MAX_FIELD_QUERY_LENGTH, MAX_QUERY_LENGTH, SORTS
from portal.search.query import HIGHLIGHT_FIELDS
from schema.record import ACCESS_LEVELS, LEVELS

OPENAPI_VERSION = "3.1.0"
API_VERSION = "1.0.0"

# Examples from the demo archives (`make demo`), used by readers and by schemathesis alike.
EXAMPLE_PUBLIC_RECORD = "vinhlong:VL.UBND/ML01/HS002/VB03"
EXAMPLE_RESTRICTED_RECORD = "vinhlong:VL.UBND/ML02/HS002/VB04"
EXAMPLE_FONDS = "vinhlong:VL.UBND"

_DATE_PATTERN = r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$"
# Quotation marks mark phrases and must come in pairs.
_BALANCED_QUOTES = r'^[^"]*(?:"[^"]*"[^"]*)*$'
# What each field of the advanced search looks in.
_FIELD_QUERY_SUBJECTS = {
    "title": "the title",
    "creator": "the creator (cơ quan hình thành phông / cơ quan ban hành)",
    "doc_number": "the document number (số và ký hiệu)",
    "reference_code": "the reference code (mã hồ sơ / ký hiệu), or reference codes beginning with it",
}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(schema_type: str, **extra) -> dict:
    return {"type": [schema_type, "null"], **extra}


def _string_list(description: str | None = None) -> dict:
    schema = {"type": "array", "items": {"type": "string"}}
    if description:
        schema["description"] = description
    return schema


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _query(name: str, description: str, schema: dict, **extra) -> dict:
    parameter = {"name": name, "in": "query", "required": False, "description": description, "schema": schema}
    if schema.get("type") == "array":
        parameter.update(style="form", explode=True)
    parameter.update(extra)
    return parameter


def _filter_parameters() -> list[dict]:
    """What to search for and in which records: shared by the search and the export."""
    province = {"type": "string", "pattern": r"^[0-9]{1,3}$", "examples": ["86"]}
    field_queries = [
        _query(name, (
            f"Words to look for in {_FIELD_QUERY_SUBJECTS.get(name, name)} only (the advanced search); "
            f"quotation marks in pairs, at most {MAX_FIELD_QUERY_LENGTH} characters. All that are given must match."
        ), {"type": "string", "maxLength": MAX_FIELD_QUERY_LENGTH, "pattern": _BALANCED_QUOTES})
        for name in FIELD_QUERIES
    ]
    return [
        _query("q", (
            "Words to look for, with or without Vietnamese diacritics, in the metadata and in the text of the "
            "files the caller may read. Quotation marks make a phrase and must come in pairs; `+`, `|`, `-` "
            "and parentheses work as in OpenSearch's simple query string. Trimmed and NFC-normalised, it may "
            f"hold at most {MAX_QUERY_LENGTH} characters. Empty or absent: list every record the caller may see."
        ), {"type": "string", "maxLength": MAX_QUERY_LENGTH, "pattern": _BALANCED_QUOTES},
            examples={"unaccented": {"value": "quyet dinh"}, "phrase": {"value": '"Vĩnh Long"'}}),
        _query("province", (
            "Holding province: the code of one of the 34 provinces as `vietnam-provinces` gives it "
            "(86 for Vĩnh Long; leading zeros do not matter). Repeat the parameter for several provinces."
        ), {"type": "array", "items": province}, example=["86"]),
        _query("origin_province", (
            "Province that produced the records: a code, possibly of one of the 63 former provinces. "
            "Repeat the parameter for several."
        ), {"type": "array", "items": province}),
        _query("level", "Level of description; repeat for several.",
               {"type": "array", "items": {"type": "string", "enum": list(LEVELS)}}, example=["file"]),
        _query("access", (
            "Access level; repeat for several. A record the caller may not know of never appears, "
            "whatever is asked here."
        ), {"type": "array", "items": {"type": "string", "enum": list(ACCESS_LEVELS)}}),
        _query("doc_type", "Document type as records name it (Quyết định, Công văn, …); repeat for several.",
               {"type": "array", "items": {"type": "string"}}),
        _query("language", "Language of the records, as they give it (ISO 639: vi, fr, …); repeat for several.",
               {"type": "array", "items": {"type": "string"}}),
        *field_queries,
        _query("from", (
            "Start of a date range: a year, a month or a day (1976, 1976-03, 1976-03-05) that exists. "
            "A record matches when its dates overlap the range; `from` may not come after `to`."
        ), {"type": "string", "pattern": _DATE_PATTERN}, example="1990"),
        _query("to", "End of the date range, written like `from`; a year ends on its last day.",
               {"type": "string", "pattern": _DATE_PATTERN}, example="1999"),
        _query("sort", "Order of the hits. Default: `relevance` with words to look for, `reference` without.",
               {"type": "string", "enum": list(SORTS)}),
    ]


def _paging_parameters(max_page_size: int, max_window: int) -> list[dict]:
    return [
        _query("page", (
            f"Page of results, from 1. Only the first {max_window:,} results can be paged through "
            f"(`page` × `size` ≤ {max_window:,}); go further with `search_after`, in date or reference order."
        ), {"type": "integer", "minimum": 1, "maximum": max_window, "default": 1}),
        _query("size", "Hits a page.", {"type": "integer", "minimum": 1, "maximum": max_page_size, "default": 20}),
        _query("search_after", (
            "The `next_search_after` token of a previous answer: the hits after those, for reading past the "
            "page window. Send it with the same query, filters and sort, and without `page` (or with page 1). "
            "Sorts `date_asc`, `date_desc` and `reference` only: relevance order (hits of equal score in the "
            "index's order) stops at the page window."
        ), {"type": "string"}),
    ]


def _schemas() -> dict:
    text_or_null = _nullable("string")
    bucket = {
        "type": "object",
        "required": ["key", "label", "count"],
        "properties": {
            "key": {"type": "string", "description": "The value to filter on with the matching parameter."},
            "label": {"type": "string", "description": "The value's name for people (a province's name, …)."},
            "count": {"type": "integer", "minimum": 0},
        },
    }
    year_bucket = {
        "type": "object",
        "required": ["key", "label", "count"],
        "properties": {
            "key": {"type": "integer", "description": f"First year of a {YEAR_INTERVAL}-year span."},
            "label": {"type": "string", "examples": ["1990–1999"]},
            "count": {"type": "integer", "minimum": 0},
        },
    }
    facets = {
        "type": "object",
        "description": (
            "Counts of the hits by value. Each facet ignores its own selection, so the values not chosen keep "
            "their counts. Empty when nothing has been harvested yet."
        ),
        "properties": {facet.name: {"type": "array", "items": _ref("FacetBucket")} for facet in FACETS},
    }
    facets["properties"][YEAR_FACET] = {"type": "array", "items": _ref("YearBucket"),
                                        "description": f"Records by the decade ({YEAR_INTERVAL} years) they start in."}
    highlight = {
        "type": "object",
        "description": (
            "Fragments of the matching text with the words found in `<mark>`, the rest escaped as HTML. "
            "Content fragments only for one who may read the content."
        ),
        "properties": {name: _string_list() for name in HIGHLIGHT_FIELDS},
        "additionalProperties": _string_list(),
    }
    hit = {
        "type": "object",
        "required": ["id", "title", "level", "level_label", "holding_province", "access", "access_label",
                     "highlight"],
        "properties": {
            "id": {"type": "string", "examples": [EXAMPLE_PUBLIC_RECORD]},
            "title": {"type": "string"},
            "level": {"type": "string", "enum": list(LEVELS)},
            "level_label": {"type": "string"},
            "holding_province": {"type": "string", "description": "Code of the holding province."},
            "holding_province_name": text_or_null,
            "origin_province": text_or_null,
            "origin_province_name": text_or_null,
            "date_start": _nullable("string", format="date"),
            "date_end": _nullable("string", format="date"),
            "access": {"type": "string", "enum": list(ACCESS_LEVELS)},
            "access_label": {"type": "string"},
            "reference_code": text_or_null,
            "doc_type": text_or_null,
            "doc_number": text_or_null,
            "creator": text_or_null,
            "source_id": text_or_null,
            "path": {"type": ["array", "null"], "items": {"type": "string"},
                     "description": "Ids of the ancestors, the fonds first."},
            "parent_id": text_or_null,
            "highlight": _ref("Highlight"),
        },
    }
    search_result = {
        "type": "object",
        "required": ["total", "total_relation", "page", "size", "hits", "facets"],
        "properties": {
            "total": {"type": "integer", "minimum": 0, "description": (
                "Records matching, of those the caller may see: counted exactly up to the pages one may page "
                "through (`page` × `size` ≤ the window), past that the window's size, with `total_relation` "
                "`gte`.")},
            "total_relation": {"type": "string", "enum": ["eq", "gte"], "description": (
                "`eq`: `total` is the number of records matching; `gte`: more match than `total` (page on "
                "with `search_after`, sorted by date or reference code, to reach them). Facet counts are always "
                "exact.")},
            "page": {"type": "integer", "minimum": 1},
            "size": {"type": "integer", "minimum": 1},
            "hits": {"type": "array", "items": _ref("SearchHit")},
            "facets": _ref("Facets"),
            "next_search_after": _nullable(
                "string", description=(
                    "Token for the hits after these (see `search_after`); null on the last page, and in "
                    "relevance order.")),
            "did_you_mean": {
                "type": "string",
                "description": (
                    "Present when the query found few or no records and a better spelling of it finds more: "
                    "the query so spelt. Only words that records the caller may see contain are proposed."),
            },
        },
    }
    signature = {
        "type": "object",
        "properties": {"status": {"type": "string"}, "signer": text_or_null, "signed_at": text_or_null},
    }
    file_entry = {
        "type": "object",
        "description": (
            "A file of the record. For one who may not read the content only `name`, `media_type` and "
            "`size` are given."
        ),
        "required": ["name"],
        "properties": {
            "name": {"type": "string"},
            "media_type": {"type": "string"},
            "size": {"type": "integer", "minimum": 0},
            "sha256": {"type": "string"},
            "url": {"type": "string", "description": "Where the holding archive publishes the file."},
            "download_url": {"type": "string", "description": (
                "Where the portal hands the file over to the caller (after the same permission check); "
                "absent when the portal cannot.")},
            "text_extracted": {"type": "boolean"},
            "extraction_error": {"type": "string"},
            "text_source": {"type": "string", "enum": ["embedded", "ocr", "mixed"], "description": (
                "Where the file's text came from: its own text, OCR of its scanned pages (machine-read, may "
                "hold errors), or both.")},
            "ocr_confidence": {"type": "number", "minimum": 0, "maximum": 100, "description": (
                "Tesseract's mean word confidence, when OCR read words.")},
            "signature": signature,
        },
    }
    record = {
        "type": "object",
        "description": "A record as the caller may see it (DESIGN §2).",
        "required": ["id", "title", "level", "level_label", "holding_province", "access", "access_label",
                     "content_visible", "files"],
        "properties": {
            "id": {"type": "string", "examples": [EXAMPLE_PUBLIC_RECORD]},
            "source_id": {"type": "string"},
            "local_id": {"type": "string"},
            "holding_province": {"type": "string"},
            "holding_province_name": text_or_null,
            "origin_province": text_or_null,
            "origin_province_name": text_or_null,
            "origin_province_current": _nullable(
                "string", description="Code of the current province the origin province is now part of."),
            "level": {"type": "string", "enum": list(LEVELS)},
            "level_label": {"type": "string"},
            "parent_id": text_or_null,
            "path": {"type": ["array", "null"], "items": {"type": "string"},
                     "description": "Ids of the ancestors, the fonds first."},
            "reference_code": text_or_null,
            "title": {"type": "string"},
            "description": text_or_null,
            "creator": text_or_null,
            "signer": text_or_null,
            "doc_number": text_or_null,
            "doc_type": text_or_null,
            "date_start": _nullable("string", format="date"),
            "date_end": _nullable("string", format="date"),
            "year_start": _nullable("integer"),
            "year_end": _nullable("integer"),
            "language": text_or_null,
            "sheets": _nullable("integer"),
            "pages": _nullable("integer"),
            "retention": text_or_null,
            "access": {"type": "string", "enum": list(ACCESS_LEVELS)},
            "access_label": {"type": "string"},
            "access_reason": text_or_null,
            "open_after": text_or_null,
            "reliability": text_or_null,
            "paper_original_code": text_or_null,
            "fonds_status": text_or_null,
            "extent": text_or_null,
            "admin_history": text_or_null,
            "subjects": {"type": ["array", "null"], "items": {"type": "string"}},
            "places": {"type": ["array", "null"], "items": {"type": "string"}},
            "keywords": {"type": ["array", "null"], "items": {"type": "string"}},
            "files": {"type": "array", "items": _ref("File")},
            "content": _nullable(
                "string", description="Full text of the files; absent for one who may not read it."),
            "content_visible": {"type": "boolean", "description": "Whether the caller may read content and files."},
            "has_full_text": {"type": "boolean", "description": "Whether the record has a full text, told to every "
                                                                "caller (what access would open), not the text."},
            "source_url": text_or_null,
            "harvested_at": text_or_null,
            "source_datestamp": text_or_null,
            "deleted": {"type": "boolean"},
        },
    }
    error_body = {
        "type": "object",
        "required": ["code", "message"],
        "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
    }
    parameter_error_body = {
        "type": "object",
        "required": ["code", "message", "parameter"],
        "properties": {
            "code": {"const": "bad_request"},
            "message": {"type": "string", "description": "What is wrong, in English."},
            "parameter": {"type": "string", "description": "The parameter refused."},
        },
    }
    service_state = {
        "type": "object",
        "required": ["ok", "state"],
        "properties": {"ok": {"type": "boolean"},
                       "state": {"type": "string", "enum": ["up", "down"]},
                       "error": {"type": "string", "description": "Kind of the failure, when down."}},
    }
    required_services = {"type": "array", "items": {"type": "string", "enum": ["opensearch", "database"]}}
    health = {
        "type": "object",
        "required": ["status", "down", "required", "services"],
        "properties": {
            "status": {"type": "string", "enum": ["ok", "unavailable"]},
            "down": {**required_services,
                     "description": "The services the portal needs that are down (Tika is never one of them)."},
            "required": {**required_services, "description": "The services the portal cannot serve without."},
            "services": {
                "type": "object",
                "required": ["opensearch", "tika", "database"],
                "properties": {
                    "opensearch": {**service_state, "properties": {
                        **service_state["properties"],
                        "status": _nullable("string", description="Cluster health: green, yellow or red.")}},
                    "tika": {**service_state, "properties": {
                        **service_state["properties"], "version": text_or_null}},
                    "database": service_state,
                },
            },
        },
    }
    suggestions = {
        "type": "object",
        "required": ["titles", "creators"],
        "properties": {
            "titles": {"type": "array", "items": {
                "type": "object",
                "required": ["id", "title"],
                "properties": {"id": {"type": "string"}, "title": {"type": "string"},
                               "level": _nullable("string"), "reference_code": text_or_null},
            }},
            "creators": _string_list("Creators (cơ quan hình thành phông / ban hành) beginning with the text."),
        },
    }
    csl_item = {
        "type": "object",
        "description": "A CSL-JSON item of type manuscript, with the CSL archival variables.",
        "required": ["id", "type", "URL"],
        "properties": {
            "id": {"type": "string"},
            "type": {"const": "manuscript"},
            "title": {"type": "string"},
            "author": {"type": "array", "items": {"type": "object"}},
            "issued": {"type": "object"},
            "URL": {"type": "string"},
        },
    }
    nullable_columns = {"id": {"type": "string"}, "title": {"type": "string"}, "permalink": {"type": "string"},
                        "level": {"type": "string", "enum": list(LEVELS)},
                        "access": {"type": "string", "enum": list(ACCESS_LEVELS)}}
    result_export = {
        "type": "object",
        "required": ["total", "exported", "records"],
        "properties": {
            "total": {"type": "integer", "minimum": 0, "description": "Records the search finds for the caller."},
            "exported": {"type": "integer", "minimum": 0, "maximum": EXPORT_LIMIT},
            "records": {"type": "array", "maxItems": EXPORT_LIMIT, "items": {
                "type": "object",
                "required": list(EXPORT_COLUMNS),
                "properties": {column: nullable_columns.get(column, text_or_null) for column in EXPORT_COLUMNS},
            }},
        },
    }
    tree_node = {
        "type": "object",
        "required": ["id", "title", "level", "access", "descendants", "summary", "url"],
        "properties": {
            "id": {"type": "string"}, "title": text_or_null, "reference_code": text_or_null,
            "level": {"type": "string", "enum": list(LEVELS)}, "level_label": {"type": "string"},
            "access": {"type": "string", "enum": list(ACCESS_LEVELS)}, "access_label": {"type": "string"},
            "date_start": text_or_null, "date_end": text_or_null,
            "descendants": {"type": "integer", "minimum": 0,
                            "description": "How many records under this one the caller may see."},
            "summary": {"type": "string", "description": "Level, years and count, in the caller's language."},
            "url": {"type": "string", "description": "The record's page."},
        },
    }
    tree_level = {
        "type": "object",
        "required": ["parent_id", "total", "start", "children"],
        "properties": {
            "parent_id": {"type": "string"},
            "total": {"type": "integer", "minimum": 0, "description": "Records of the level the caller may see."},
            "start": {"type": "integer", "minimum": 0},
            "children": {"type": "array", "maxItems": 200, "items": tree_node},
        },
    }
    return {
        "TreeLevel": tree_level,
        "FacetBucket": bucket,
        "YearBucket": year_bucket,
        "Facets": facets,
        "Highlight": highlight,
        "SearchHit": hit,
        "SearchResult": search_result,
        "File": file_entry,
        "Record": record,
        "Suggestions": suggestions,
        "CslItem": csl_item,
        "ResultExport": result_export,
        "Health": health,
        "Liveness": {"type": "object", "required": ["status"], "properties": {"status": {"const": "ok"}}},
        "Error": {"type": "object", "required": ["error"], "properties": {"error": error_body}},
        "ParameterError": {"type": "object", "required": ["error"], "properties": {"error": parameter_error_body}},
    }


_UNAVAILABLE = _json(_ref("Error"), "OpenSearch could not answer (`search_unavailable`), or the audit log could not "
                     "record the request, so it was not carried out (`audit_unavailable`); try again later.")
_NOT_FOUND = _json(_ref("Error"), (
    "No such record, or one the caller may not know exists (`not_found`): the two are not told apart."))
_MERGED_SLASHES = {
    "description": "The id began with `/`: the same path with the double slash merged.",
    "headers": {"Location": {"schema": {"type": "string"}, "description": "The merged path."}},
}


_CREATOR_ID = _query("creator_id", (
    "Only the records of one creator (cơ quan, đơn vị hình thành phông): those naming it, under any of its name "
    "forms, and everything in the fonds it created. Its number is the one in its page's address "
    "`/creators/<number>`; an unknown creator finds nothing. Search only (not in the export)."
), {"type": "integer", "minimum": 1, "maximum": MAX_CREATOR_ID})


def _record_id_parameter(route: str) -> dict:
    return {
        "name": "record_id",
        "in": "path",
        "required": True,
        "description": (
            "The record's id, `<source>:<local identifier>`. Ids contain `:` and `/`: the route takes the whole "
            f"rest of the path, so `/api/v1/{route}/{EXAMPLE_PUBLIC_RECORD}` works as it is written, and so does "
            "the id percent-encoded (`%3A`, `%2F`). No id begins with `/` (it begins with its source's name); "
            "a path that does is redirected (308) to the same path with the double slash merged."
        ),
        "schema": {"type": "string", "minLength": 1, "pattern": "^[^/]"},
        "examples": {
            "public": {"summary": "A public item, with its content", "value": EXAMPLE_PUBLIC_RECORD},
            "restricted": {"summary": "A restricted item: description only", "value": EXAMPLE_RESTRICTED_RECORD},
            "fonds": {"summary": "A fonds", "value": EXAMPLE_FONDS},
        },
    }


def _media_type(value: str) -> str:
    """'text/csv; charset=utf-8' → 'text/csv': the document names media types without parameters."""
    return value.split(";")[0].strip()


def _file(content: dict, description: str) -> dict:
    return {
        "description": description,
        "headers": {"Content-Disposition": {
            "schema": {"type": "string"}, "description": "`attachment`, with a file name to save it under."}},
        "content": content,
    }


def _citation_schema(name: str) -> dict:
    if name == "csl-json":
        return {"type": "array", "minItems": 1, "maxItems": 1, "items": _ref("CslItem"),
                "description": "CSL-JSON: an array of one item, as citeproc processors and Zotero read it."}
    return {"type": "string", "description": f"The citation as {name}."}


def _export_schema(name: str) -> dict:
    if name == "json":
        return _ref("ResultExport")
    return {"type": "string", "description": (
        f"{name.upper()} with a header row ({', '.join(EXPORT_COLUMNS)}); UTF-8 with a byte order mark.")}


_OAI_OPERATION = {
    "tags": ["harvesting"],
    "operationId": "oaiPmh",
    "summary": "OAI-PMH 2.0 data provider",
    "description": (
        "The records an anonymous reader may see, for harvesters (the national archive, aggregators): the six "
        "verbs of OAI-PMH 2.0; `oai_dc` for every record, `oai_ead` for fonds (the finding aid with the components "
        "an anonymous reader may see); sets `province:<code>` and `fonds:<record id>` (characters a setSpec may not "
        "hold written `~` + hex of their UTF-8 bytes); `from`/`until` in days or seconds (UTC); deletions kept "
        "(`deletedRecord` persistent: a record that leaves the index, or becomes closed, is listed deleted); "
        "resumption tokens signed and valid for a day, across restarts. Restricted records without files or "
        "text; closed records never. Errors are OAI-PMH errors inside a 200 answer. Identifiers are "
        "`oai:<OAI_REPOSITORY_IDENTIFIER>:<record id>`. POST (form-encoded) is answered like GET."
    ),
    "parameters": [
        _query("verb", "The OAI-PMH verb.", {"type": "string", "enum": [
            "Identify", "ListMetadataFormats", "ListSets", "GetRecord", "ListIdentifiers", "ListRecords"]},
            required=True),
        _query("identifier", "GetRecord, ListMetadataFormats: the record's OAI identifier.", {"type": "string"}),
        _query("metadataPrefix", "GetRecord, ListIdentifiers, ListRecords.",
               {"type": "string", "enum": ["oai_dc", "oai_ead"]}),
        _query("from", "Lists: datestamps from (inclusive).", {"type": "string"}),
        _query("until", "Lists: datestamps until (inclusive).", {"type": "string"}),
        _query("set", "Lists: a setSpec.", {"type": "string", "examples": ["province:86"]}),
        _query("resumptionToken", "Lists and ListSets: the token of the previous page, alone.", {"type": "string"}),
    ],
    "responses": {
        "200": {"description": "An OAI-PMH 2.0 answer (or error).",
                "content": {"text/xml": {"schema": {"type": "string"}}}},
        "503": {"description": "Too many requests from this address (`RATELIMIT_OAI`); retry after `Retry-After` "
                               "seconds.", "headers": {"Retry-After": {"schema": {"type": "integer"}}}},
    },
}


def openapi_document(max_page_size: int = 100, max_window: int = 10_000) -> dict:
    """The document; the limits are the application's `SEARCH_MAX_PAGE_SIZE` and `SEARCH_MAX_WINDOW`."""
    return {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": "Federated archives portal API",
            "version": API_VERSION,
            "description": (
                "Search the holdings of Việt Nam's provincial historical archives, harvested into one index; "
                "read single records, cite them and export result lists. Every answer shows exactly what the "
                "caller may see under the access levels of Thông tư 05/2025/TT-BNV: public records in full, "
                "restricted records without their content and files, closed records not at all (a closed "
                "record is \"not found\"). Until sign-in exists every caller is anonymous."
            ),
        },
        "servers": [{"url": "/", "description": "This portal."}],
        "tags": [
            {"name": "search", "description": "Searching and browsing the records."},
            {"name": "records", "description": "One record as the caller may see it, and its citation."},
            {"name": "harvesting", "description": "The catalogue served onward over OAI-PMH 2.0."},
            {"name": "service", "description": "The state of the portal and this document."},
        ],
        "paths": {
            "/api/v1/search": {"get": {
                "tags": ["search"],
                "operationId": "searchRecords",
                "summary": "Search and browse the records",
                "description": (
                    "Hits, their total and facet counts for the records the caller may see. Parameters are checked "
                    "before anything is searched: a bad one gets a 400 naming it."
                ),
                "parameters": _filter_parameters() + [_CREATOR_ID] + _paging_parameters(max_page_size, max_window),
                "responses": {
                    "200": _json(_ref("SearchResult"), "A page of hits with the facets."),
                    "400": _json(_ref("ParameterError"), "A parameter was refused; `parameter` names it."),
                    "503": _UNAVAILABLE,
                },
            }},
            "/api/v1/suggest": {"get": {
                "tags": ["search"],
                "operationId": "suggest",
                "summary": "Suggestions while typing",
                "description": (
                    "Titles and creators beginning with the text typed, among the records the caller may see. "
                    "Text too short gives empty lists."
                ),
                "parameters": [_query("q", "The text typed so far.", {"type": "string"}, example="quyet")],
                "responses": {
                    "200": _json(_ref("Suggestions"), "The suggestions, possibly none."),
                    "503": _UNAVAILABLE,
                },
            }},
            "/api/v1/export": {"get": {
                "tags": ["search"],
                "operationId": "exportResults",
                "summary": "Export a result list",
                "description": (
                    f"The first {EXPORT_LIMIT:,} records a search finds for the caller, as a file to save "
                    "(`Content-Disposition: attachment`): catalogue fields and a link to each record's page, never "
                    "highlights or content. It takes the search's parameters; paging parameters are ignored. "
                    "In CSV a cell that a spreadsheet would run as a formula starts with an apostrophe."
                ),
                "parameters": [
                    _query("format", "File format.", {"type": "string", "enum": list(EXPORT_FORMATS),
                                                      "default": DEFAULT_EXPORT_FORMAT}),
                    *_filter_parameters(),
                ],
                "responses": {
                    "200": _file({_media_type(f.media_type): {"schema": _export_schema(f.name)}
                                  for f in EXPORT_FORMATS.values()}, "The records, in the format asked for."),
                    "400": _json(_ref("ParameterError"), "A parameter was refused; `parameter` names it."),
                    "503": _UNAVAILABLE,
                },
            }},
            "/api/v1/records/{record_id}": {"get": {
                "tags": ["records"],
                "operationId": "getRecord",
                "summary": "One record",
                "description": (
                    "The record as the caller may see it: without `content` and with only the names, types and "
                    "sizes of its files when they may not read the content (`content_visible` false)."
                ),
                "parameters": [_record_id_parameter("records")],
                "responses": {
                    "200": _json(_ref("Record"), "The record."),
                    "308": _MERGED_SLASHES,
                    "404": _NOT_FOUND,
                    "503": _UNAVAILABLE,
                },
            }},
            "/api/v1/cite/{record_id}": {"get": {
                "tags": ["records"],
                "operationId": "citeRecord",
                "summary": "A citation of one record",
                "description": (
                    "The record cited in one format, as a file to save (`Content-Disposition: attachment`): "
                    "metadata only, never content."
                ),
                "parameters": [
                    _record_id_parameter("cite"),
                    _query("format", "Citation format.", {"type": "string", "enum": list(CITATION_FORMATS),
                                                          "default": DEFAULT_CITATION_FORMAT}),
                ],
                "responses": {
                    "200": _file({_media_type(f.media_type): {"schema": _citation_schema(f.name)}
                                  for f in CITATION_FORMATS.values()}, "The citation, in the format asked for."),
                    "308": _MERGED_SLASHES,
                    "400": _json(_ref("ParameterError"), "An unknown `format`."),
                    "404": _NOT_FOUND,
                    "503": _UNAVAILABLE,
                },
            }},
            "/oai": {"get": _OAI_OPERATION, "post": {**_OAI_OPERATION, "operationId": "oaiPmhPost"}},
            "/api/v1/tree/{record_id}": {"get": {
                "tags": ["records"],
                "operationId": "treeLevel",
                "summary": "One level of a finding-aid tree",
                "description": (
                    "A page of the records directly under this one that the caller may see, in reference-code "
                    "order, each with how many records the caller may see under it (`descendants`)."
                ),
                "parameters": [
                    _record_id_parameter("tree"),
                    _query("from", "Position of the first record of the page.",
                           {"type": "integer", "minimum": 0, "default": 0}),
                    _query("size", "How many records.", {"type": "integer", "minimum": 1, "maximum": 200,
                                                         "default": 50}),
                ],
                "responses": {
                    "200": _json(_ref("TreeLevel"), "The page of the level."),
                    "308": _MERGED_SLASHES,
                    "400": _json(_ref("ParameterError"), "`from` or `size` out of bounds."),
                    "404": _NOT_FOUND,
                    "503": _UNAVAILABLE,
                },
            }},
            "/api/v1/finding-aid/{record_id}": {"get": {
                "tags": ["records"],
                "operationId": "findingAid",
                "summary": "A fonds's finding aid, as EAD 2002 or PDF",
                "description": (
                    "The record (a fonds, usually) and every record under it that the caller may see, as a file "
                    "to save: EAD 2002 valid against the Library of Congress schema, or a PDF for the reading "
                    "room. Records whose content the caller may not read are described without their files; "
                    f"no full text is included. At most {MAX_COMPONENTS:,} records. Limited per client address."
                ),
                "parameters": [
                    _record_id_parameter("finding-aid"),
                    _query("format", "File format.", {"type": "string", "enum": list(FINDING_AID_FORMATS),
                                                      "default": DEFAULT_FINDING_AID_FORMAT}),
                ],
                "responses": {
                    "200": _file({_media_type(f.media_type): {"schema": {"type": "string", "description": (
                        f"The finding aid as {f.name.upper()}.")}} for f in FINDING_AID_FORMATS.values()},
                        "The finding aid, in the format asked for."),
                    "308": _MERGED_SLASHES,
                    "400": _json(_ref("ParameterError"), "An unknown `format`."),
                    "404": _NOT_FOUND,
                    "422": _json(_ref("Error"), "More records than one finding aid holds (`too_large`)."),
                    "429": {"description": "Too many finding aids asked for from this address; try again later."},
                    "503": _UNAVAILABLE,
                },
            }},
            "/api/v1/creators/{creator_id}/eac-cpf": {"get": {
                "tags": ["records"],
                "operationId": "creatorEacCpf",
                "summary": "A creator's authority record, as EAC-CPF 2010",
                "description": (
                    "The creating body or person (cơ quan, đơn vị hình thành phông) as the caller may see it: its "
                    "authorised and other name forms, the provinces its records came from, the histories its fonds "
                    "give (biogHist) and the fonds it created (resourceRelation creatorOf), valid against the SAA's "
                    "EAC-CPF 2010 schema. A creator none of whose records the caller may see is not found."
                ),
                "parameters": [{"name": "creator_id", "in": "path", "required": True,
                                "description": "The creator's number, as in its page's address `/creators/<number>`.",
                                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_CREATOR_ID}}],
                "responses": {
                    "200": _file({"application/xml": {"schema": {"type": "string", "description": (
                        "The EAC-CPF record.")}}}, "The authority record."),
                    "404": _json(_ref("Error"), (
                        "No such creator, or one the caller may not know exists (`not_found`): the two are not "
                        "told apart.")),
                    "503": _UNAVAILABLE,
                },
            }},
            "/healthz": {"get": {
                "tags": ["service"],
                "operationId": "liveness",
                "summary": "The process lives",
                "description": "Answers as long as the portal's process serves requests; asks no other service.",
                "responses": {"200": _json(_ref("Liveness"), "The process lives.")},
            }},
            "/readyz": {"get": {
                "tags": ["service"],
                "operationId": "readiness",
                "summary": "Ready to serve: the database and OpenSearch answer",
                "description": (
                    "The database (`SELECT 1`) and OpenSearch (cluster health) are checked with a short timeout; "
                    "Tika's state is reported too, but Tika down never makes the portal unready."),
                "responses": {
                    "200": _json(_ref("Health"), "The database and OpenSearch answer."),
                    "503": _json(_ref("Health"), "The database or OpenSearch does not answer; `down` names it."),
                },
            }},
            "/api/v1/openapi.json": {"get": {
                "tags": ["service"],
                "operationId": "openapiDocument",
                "summary": "This document",
                "responses": {"200": _json({"type": "object"}, "The OpenAPI 3.1 document of this API.")},
            }},
        },
        "components": {"schemas": _schemas()},
    }
