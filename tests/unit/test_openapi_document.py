"""The OpenAPI document: valid OpenAPI 3.1, and saying what the code does (parameters, enums,
limits, fields), checked against the code itself rather than against a copy of it."""
from __future__ import annotations

import json

import pytest
import schemathesis
from werkzeug.datastructures import MultiDict

from portal.api_docs.openapi import openapi_document
from portal.export.citation import CITATION_FORMATS
from portal.export.results import EXPORT_COLUMNS, EXPORT_FORMATS
from portal.search.facets import FACETS, YEAR_FACET
from portal.search.params import FIELD_QUERIES, MAX_FIELD_QUERY_LENGTH, MAX_QUERY_LENGTH, SORTS, parse_search_params
from portal.search.query import HIGHLIGHT_FIELDS
from portal.search.service import EXTRA_HIT_FIELDS, HIT_FIELDS
from schema.record import ACCESS_LEVELS, LEVELS

SEARCH = "/api/v1/search"
RECORD = "/api/v1/records/{record_id}"
CITE = "/api/v1/cite/{record_id}"
EXPORT = "/api/v1/export"
PAGING = {"page", "size", "search_after"}


@pytest.fixture(scope="module")
def document() -> dict:
    return openapi_document()


def _operation(document: dict, path: str) -> dict:
    return document["paths"][path]["get"]


def _parameters(document: dict, path: str) -> dict[str, dict]:
    return {p["name"]: p for p in _operation(document, path)["parameters"]}


def _search_parameters(document: dict) -> dict[str, dict]:
    return _parameters(document, SEARCH)


def _parameters_read_by_parse_search_params() -> set[str]:
    args = RecordingArgs()
    parse_search_params(args)
    assert args.read, "the recorder saw nothing: parse_search_params reads its arguments differently now"
    return args.read


def _schema(document: dict, name: str) -> dict:
    return document["components"]["schemas"][name]


def _references(node) -> set[str]:
    if isinstance(node, dict):
        found = {node["$ref"]} if isinstance(node.get("$ref"), str) else set()
        return found.union(*(_references(value) for value in node.values()))
    if isinstance(node, list):
        return set().union(*(_references(value) for value in node))
    return set()


class RecordingArgs(MultiDict):
    """request.args that remember which parameters were read."""

    def __init__(self):
        super().__init__()
        self.read: set[str] = set()

    def get(self, key, default=None, type=None):
        self.read.add(key)
        return super().get(key, default, type)

    def getlist(self, key, type=None):
        self.read.add(key)
        return super().getlist(key, type)

    def __getitem__(self, key):
        self.read.add(key)
        return super().__getitem__(key)

    def __contains__(self, key):
        self.read.add(key)
        return super().__contains__(key)


# --- a valid OpenAPI 3.1 document ---------------------------------------------------------------------------------

def test_document_is_openapi_3_1_with_english_info_relative_server_and_tags(document):
    assert document["openapi"].startswith("3.1.")
    assert document["info"]["title"] and document["info"]["version"]
    assert "archives" in document["info"]["description"]
    assert document["servers"] == [{"url": "/", "description": "This portal."}]
    declared_tags = {tag["name"] for tag in document["tags"]}
    for path_item in document["paths"].values():
        for operation in path_item.values():
            assert set(operation["tags"]) <= declared_tags
            assert operation["operationId"] and operation["responses"]


def test_document_validates_against_the_openapi_3_1_meta_schema_and_loads_in_schemathesis(document):
    schema = schemathesis.openapi.from_dict(json.loads(json.dumps(document)))
    schema.validate()  # the official 3.1 meta-schema, shipped with schemathesis; raises when invalid
    labels = [result.ok().label for result in schema.get_all_operations()]  # .ok() raises on a broken operation
    assert {"GET /api/v1/search", "GET /api/v1/records/{record_id}", "GET /healthz", "GET /readyz"} <= set(labels)


def test_a_broken_document_is_refused_by_the_validation_used_above(document):
    broken = json.loads(json.dumps(document))
    broken["paths"][SEARCH]["get"]["responses"] = "none"
    with pytest.raises(Exception):
        schemathesis.openapi.from_dict(broken).validate()


def test_every_reference_points_at_a_component(document):
    references = _references(document)
    assert references
    for reference in references:
        assert reference.startswith("#/components/schemas/")
        assert reference.removeprefix("#/components/schemas/") in document["components"]["schemas"]


def test_document_is_plain_json_data(document):
    assert json.loads(json.dumps(document)) == document


# --- the search operation says what parse_search_params does ------------------------------------------------------

def test_search_documents_exactly_the_parameters_parse_search_params_reads(document):
    # and the creator, which the search view reads (portal.creators.service.creator_search_filter)
    assert set(_search_parameters(document)) == _parameters_read_by_parse_search_params() | {"creator_id"}


def test_export_documents_the_search_parameters_but_paging_and_its_format(document):
    expected = (_parameters_read_by_parse_search_params() - PAGING) | {"format"}  # no creator_id
    assert set(_parameters(document, EXPORT)) == expected
    for name, parameter in _parameters(document, EXPORT).items():
        if name != "format":
            assert parameter == _search_parameters(document)[name], name


def test_search_parameters_are_optional_query_parameters_and_lists_repeat(document):
    for name, parameter in _search_parameters(document).items():
        assert parameter["in"] == "query" and parameter["required"] is False, name
        assert parameter["description"], name
        if parameter["schema"].get("type") == "array":
            assert parameter["style"] == "form" and parameter["explode"] is True, name
    lists = {name for name, p in _search_parameters(document).items() if p["schema"].get("type") == "array"}
    assert lists == {"province", "origin_province", "level", "access", "doc_type", "language"}


def test_enums_are_the_record_schema_levels_access_levels_and_sorts(document):
    parameters = _search_parameters(document)
    assert parameters["level"]["schema"]["items"]["enum"] == list(LEVELS)
    assert parameters["access"]["schema"]["items"]["enum"] == list(ACCESS_LEVELS)
    assert parameters["sort"]["schema"]["enum"] == list(SORTS)
    for name in ("SearchHit", "Record"):
        properties = _schema(document, name)["properties"]
        assert properties["level"]["enum"] == list(LEVELS)
        assert properties["access"]["enum"] == list(ACCESS_LEVELS)


def test_limits_follow_the_code_and_the_configuration():
    parameters = _search_parameters(openapi_document(max_page_size=50, max_window=2_000))
    assert parameters["size"]["schema"]["minimum"] == 1 and parameters["size"]["schema"]["maximum"] == 50
    assert parameters["page"]["schema"]["minimum"] == 1 and parameters["page"]["schema"]["maximum"] == 2_000
    assert parameters["q"]["schema"]["maxLength"] == MAX_QUERY_LENGTH
    for name in FIELD_QUERIES:
        assert parameters[name]["schema"]["maxLength"] == MAX_FIELD_QUERY_LENGTH


def test_query_pattern_accepts_paired_quotation_marks_only(document):
    import re

    pattern = re.compile(_search_parameters(document)["q"]["schema"]["pattern"])
    for accepted in ("", "vinh long", '"Vĩnh Long"', '"a" b "c d"'):
        assert pattern.search(accepted), accepted
    for refused in ('"unbalanced', 'a "b" "c'):
        assert not pattern.search(refused), refused


def test_date_parameters_take_a_year_a_month_or_a_day(document):
    import re

    for name in ("from", "to"):
        pattern = re.compile(_search_parameters(document)[name]["schema"]["pattern"])
        assert all(pattern.search(value) for value in ("1976", "1976-03", "1976-03-05"))
        assert not any(pattern.search(value) for value in ("76", "last year", "05/03/1976"))


# --- responses describe what the services shape -------------------------------------------------------------------

def test_hits_describe_every_field_the_search_service_shapes(document):
    hit = _schema(document, "SearchHit")
    shaped = set(HIT_FIELDS) | set(EXTRA_HIT_FIELDS) | {"level_label", "access_label", "highlight"}
    assert shaped <= set(hit["properties"])
    assert hit.get("additionalProperties", True) is not False
    assert set(_schema(document, "Highlight")["properties"]) == set(HIGHLIGHT_FIELDS)


def test_search_result_describes_every_facet_and_facets_may_be_empty(document):
    result = _schema(document, "SearchResult")
    assert {"total", "total_relation", "page", "size", "hits", "facets"} <= set(result["required"])
    facets = _schema(document, "Facets")
    assert set(facets["properties"]) == {facet.name for facet in FACETS} | {YEAR_FACET}
    assert not facets.get("required")  # nothing harvested yet: `facets` is {}


def test_search_answers_200_400_and_503_with_parameter_errors_naming_the_parameter(document):
    responses = _operation(document, SEARCH)["responses"]
    assert set(responses) == {"200", "400", "503"}
    parameter_error = _schema(document, "ParameterError")["properties"]["error"]
    assert set(parameter_error["required"]) == {"code", "message", "parameter"}


@pytest.mark.parametrize("path", [RECORD, CITE])
def test_record_id_is_the_rest_of_the_path_with_colons_and_slashes(document, path):
    parameter = _parameters(document, path)["record_id"]
    assert parameter["in"] == "path" and parameter["required"]
    assert "`:`" in parameter["description"] and "`/`" in parameter["description"]
    assert "rest of the path" in parameter["description"]
    assert all(":" in e["value"] and "/" in e["value"] for name, e in parameter["examples"].items() if name != "fonds")
    assert {"200", "308", "404", "503"} <= set(_operation(document, path)["responses"])


def test_citation_formats_and_media_types_are_the_citation_modules(document):
    operation = _operation(document, CITE)
    assert _parameters(document, CITE)["format"]["schema"]["enum"] == list(CITATION_FORMATS)
    assert set(operation["responses"]["200"]["content"]) == {
        f.media_type.split(";")[0] for f in CITATION_FORMATS.values()}
    assert set(operation["responses"]) == {"200", "308", "400", "404", "503"}


def test_export_formats_media_types_and_columns_are_the_export_modules(document):
    operation = _operation(document, EXPORT)
    assert _parameters(document, EXPORT)["format"]["schema"]["enum"] == list(EXPORT_FORMATS)
    assert set(operation["responses"]["200"]["content"]) == {
        f.media_type.split(";")[0] for f in EXPORT_FORMATS.values()}
    row = _schema(document, "ResultExport")["properties"]["records"]["items"]
    assert list(row["properties"]) == list(EXPORT_COLUMNS) == row["required"]


def test_record_describes_content_visibility_and_files(document):
    record = _schema(document, "Record")
    assert {"content_visible", "files", "id", "title", "level", "access"} <= set(record["required"])
    assert "content" in record["properties"] and "content" not in record["required"]
    assert record["properties"]["content_visible"]["type"] == "boolean"
    assert _schema(document, "File")["required"] == ["name"]


def test_readiness_names_the_three_services_and_only_two_can_make_it_unready(document):
    health = _schema(document, "Health")
    assert set(health["properties"]["services"]["required"]) == {"opensearch", "tika", "database"}
    assert set(health["properties"]["down"]["items"]["enum"]) == {"opensearch", "database"}
    assert set(_operation(document, "/readyz")["responses"]) == {"200", "503"}


def test_liveness_always_answers_200(document):
    assert set(_operation(document, "/healthz")["responses"]) == {"200"}
    assert _schema(document, "Liveness")["required"] == ["status"]


# --- the application serves it, and documents every JSON route ----------------------------------------------------

@pytest.fixture()
def app(tmp_path):
    from app import create_app

    return create_app({"TESTING": True, "SECRET_KEY": "test", "DATABASE_URL": f"sqlite:///{tmp_path}/portal.db"})


def test_the_document_is_served_with_the_application_limits(app):
    app.config["SEARCH_MAX_PAGE_SIZE"] = 40
    response = app.test_client().get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.get_json() == openapi_document(max_page_size=40, max_window=app.config["SEARCH_MAX_WINDOW"])


def test_every_json_route_of_the_application_is_documented_and_no_other(app):
    routes = {
        rule.rule.replace("<path:record_id>", "{record_id}").replace("<int:creator_id>", "{creator_id}")
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/") or rule.rule in ("/healthz", "/readyz", "/oai")
    }
    assert routes == set(openapi_document()["paths"])
