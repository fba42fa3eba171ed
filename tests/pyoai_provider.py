"""pyoai's OAI-PMH server (the `oaipmh` package, infrae) as a real provider of another make than ours (issue 15):
its `Server` with a metadata registry and its own oai_dc writer, answering the harvester over HTTP.

pyoai 2.5 was written for older Pythons: it reads resumption tokens with `cgi.parse_qs`, gone since Python 3.8,
so every resumption token would fail. `load_pyoai_server` gives its module `urllib.parse.parse_qs` in its place,
here, never in site-packages. The records (`PyoaiRecord`) are ours; the filtering by date and set is the
repository's job in pyoai's design (its IOAI interface), the protocol, errors and resumption are pyoai's.
"""
from __future__ import annotations

import copy
import importlib
import sys
import types
import urllib.parse
import warnings
from dataclasses import dataclass, field
from datetime import datetime


def load_pyoai_server():
    """oaipmh.server with the one function it lacks on this Python; importing it more than once is harmless."""
    if "cgi" not in sys.modules:
        try:
            with warnings.catch_warnings():  # 'cgi' is deprecated (removed in 3.13): pyoai still imports it
                warnings.simplefilter("ignore", DeprecationWarning)
                importlib.import_module("cgi")
        except ImportError:
            sys.modules["cgi"] = types.ModuleType("cgi")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # pyoai imports pkg_resources
        from oaipmh import server
    server.cgi = types.SimpleNamespace(parse_qs=urllib.parse.parse_qs)
    return server


@dataclass
class PyoaiRecord:
    identifier: str
    datestamp: datetime  # naive UTC, as pyoai wants it
    fields: dict[str, list] = field(default_factory=dict)  # oai_dc: element → values; oai_ead: {"ead": [element]}
    sets: list[str] = field(default_factory=list)
    deleted: bool = False


FORMATS = {
    "oai_dc": ("http://www.openarchives.org/OAI/2.0/oai_dc.xsd", "http://www.openarchives.org/OAI/2.0/oai_dc/"),
    "oai_ead": ("https://www.loc.gov/ead/ead.xsd", "urn:isbn:1-931666-22-9"),
}


def ead_writer(element, metadata) -> None:
    """pyoai has a writer for oai_dc only; a finding aid is written as the element it is."""
    for ead in metadata.getMap()["ead"]:
        element.append(copy.deepcopy(ead))


class PyoaiRepository:
    """What pyoai's IOAI interface asks of a repository; pyoai's `Resumption` cuts its lists into pages."""

    SETS = {"hanhchinh": "Hồ sơ hành chính", "xaydung": "Hồ sơ xây dựng"}

    def __init__(self, records: list[PyoaiRecord], base_url: str = "", granularity: str = "YYYY-MM-DDThh:mm:ssZ",
                 metadata_prefix: str = "oai_dc"):
        self.records = records
        self.base_url = base_url
        self.granularity = granularity
        self.metadata_prefix = metadata_prefix

    def identify(self):
        from oaipmh import common
        return common.Identify(
            repositoryName="pyoai test repository", baseURL=self.base_url, protocolVersion="2.0",
            adminEmails=["archives@example.org"], earliestDatestamp=datetime(2020, 1, 1),
            deletedRecord="persistent", granularity=self.granularity, compression=["identity"])

    def listMetadataFormats(self, identifier=None):
        if identifier is not None:
            self._record(identifier)
        return [(self.metadata_prefix, *FORMATS[self.metadata_prefix])]

    def listSets(self):
        return [(spec, name, None) for spec, name in self.SETS.items()]

    def listIdentifiers(self, metadataPrefix, set=None, from_=None, until=None):
        return [header for header, _, _ in self.listRecords(metadataPrefix, set, from_, until)]

    def listRecords(self, metadataPrefix, set=None, from_=None, until=None):
        self._check_prefix(metadataPrefix)
        if set is not None and set not in self.SETS:
            from oaipmh import error
            raise error.NoRecordsMatchError(f"no set {set}")
        return [self._triple(record) for record in self.records
                if (set is None or set in record.sets)
                and (from_ is None or record.datestamp >= from_) and (until is None or record.datestamp <= until)]

    def getRecord(self, metadataPrefix, identifier):
        self._check_prefix(metadataPrefix)
        return self._triple(self._record(identifier))

    def _record(self, identifier: str) -> PyoaiRecord:
        from oaipmh import error
        for record in self.records:
            if record.identifier == identifier:
                return record
        raise error.IdDoesNotExistError(f"Id does not exist: {identifier}")

    def _check_prefix(self, prefix: str) -> None:
        if prefix != self.metadata_prefix:
            from oaipmh import error
            raise error.CannotDisseminateFormatError(f"Unknown metadata format: {prefix}")

    @staticmethod
    def _triple(record: PyoaiRecord):
        from oaipmh import common
        header = common.Header(None, record.identifier, record.datestamp, record.sets, record.deleted)
        return header, (None if record.deleted else common.Metadata(None, record.fields)), None


class PyoaiWsgiApp:
    """pyoai's server behind WSGI: the query (GET) or form (POST) as its request keywords, its XML back.
    `requests` lists each request's parameters, for tests that count pages."""

    def __init__(self, repository: PyoaiRepository, batch_size: int = 10):
        server = load_pyoai_server()
        from oaipmh import metadata
        registry = metadata.MetadataRegistry()
        registry.registerWriter("oai_dc", server.oai_dc_writer)
        registry.registerWriter("oai_ead", ead_writer)
        self.repository = repository
        self.server = server.Server(repository, registry, resumption_batch_size=batch_size)
        self.requests: list[dict[str, str]] = []

    def __call__(self, environ, start_response):
        query = environ.get("QUERY_STRING", "")
        if environ.get("REQUEST_METHOD") == "POST":
            length = int(environ.get("CONTENT_LENGTH") or 0)
            query = environ["wsgi.input"].read(length).decode("utf-8")
        params = dict(urllib.parse.parse_qsl(query, keep_blank_values=True))
        self.requests.append(params)
        body = self.server.handleRequest(params)
        start_response("200 OK", [("Content-Type", "text/xml; charset=utf-8"), ("Content-Length", str(len(body)))])
        return [body]
