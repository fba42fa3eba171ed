"""An OAI-PMH 2.0 data provider that misbehaves on purpose, for the harvester's fault tests.

A plain WSGI application over a list of records; `Faults` says what goes wrong: HTTP 500/503
with Retry-After, answers that never come in time, an HTML error page, one record that is not
well-formed XML, control characters, a wrong encoding declaration, a resumption token that
repeats, tokens that expire, a 20 MB record, identifiers listed twice, a DOCTYPE with an
external entity or a billion laughs, and a slow answer for kill-and-resume tests. Records and
faults may be changed between requests; every request is kept in `requests`.

Besides OAI-PMH (any other path) it serves files of its own at `/files/<name>` (`files`) and
redirects at `/redirect/<name>` (`redirects`): a hostile archive's records link to those, to the
portal's own services, and to redirects that land on them.
"""
from __future__ import annotations

import base64
import json
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from xml.sax.saxutils import escape

from werkzeug.wrappers import Request, Response

OAI_NS = "http://www.openarchives.org/OAI/2.0/"
REPOSITORY = "faulty.luutru.test"
_LATE = object()  # the answer comes after Faults.timeout_sleep


@dataclass
class FaultRecord:
    local_id: str
    datestamp: str  # YYYY-MM-DDThh:mm:ssZ
    title: str
    date: str = "1976-03-05"
    deleted: bool = False
    sets: tuple[str, ...] = ()
    level: str = "hồ sơ"
    description: str = ""
    file_urls: tuple[str, ...] = ()
    rights: tuple[str, ...] = ("Công khai",)  # dc:rights, as a DSpace or an English-language archive writes them

    @property
    def identifier(self) -> str:
        return f"oai:{REPOSITORY}:{self.local_id}"


@dataclass
class Faults:
    page_size: int = 10
    delay: float = 0.0  # seconds before every answer: a slow provider
    statuses: list = field(default_factory=list)  # [(status, headers)], given one a request before real answers
    always_status: int | None = None
    fail_after: int | None = None  # after this many more answers, every answer is HTTP 500
    html_pages: int = 0  # the next n answers are an HTML error page with status 200
    timeouts: int = 0  # the next n answers come after `timeout_sleep` seconds
    timeout_sleep: float = 2.0
    broken_records: set = field(default_factory=set)  # local ids whose XML is not well-formed
    control_characters: set = field(default_factory=set)  # local ids whose title holds control characters
    declared_encoding: str | None = None  # what the XML declaration claims
    body_encoding: str = "utf-8"  # what the bytes really are
    loop_token: bool = False  # the token of the second page comes back for ever
    expire_tokens: int = 0  # the next n tokens presented are refused as expired (badResumptionToken)
    huge_records: set = field(default_factory=set)  # local ids with a description of `huge_bytes`
    huge_bytes: int = 20 * 1024 * 1024
    duplicate_on_next_page: set = field(default_factory=set)  # local ids listed again on the page after theirs
    doctype: str | None = None  # "xxe" or "billion-laughs": a DTD in every list page, used by `entity_record`
    entity_record: str | None = None
    granularity: str = "YYYY-MM-DDThh:mm:ssZ"
    deleted_record: str = "persistent"
    formats: tuple[str, ...] = ("oai_dc",)
    sets: tuple[tuple[str, str], ...] = ()
    verb_errors: dict = field(default_factory=dict)  # verb → (code, message)


class FaultProvider:
    def __init__(self, records: list[FaultRecord], faults: Faults | None = None,
                 files: dict[str, tuple[str, bytes]] | None = None, redirects: dict[str, str] | None = None):
        self.records = records
        self.faults = faults or Faults()
        self.files = files if files is not None else {}  # name → (media type, bytes)
        self.redirects = redirects if redirects is not None else {}  # name → where it sends
        self.requests: list[dict] = []
        self._lock = threading.Lock()

    def __call__(self, environ, start_response):
        request = Request(environ)
        if request.path.startswith(("/files/", "/redirect/")):
            return self._file_or_redirect(request)(environ, start_response)
        arguments = dict(request.values.items())
        with self._lock:
            self.requests.append(arguments)
            response = self._misbehaviour()
            late = self.faults.timeout_sleep if response is _LATE else 0
        if late:  # outside the lock: the requests after this one are answered in time
            time.sleep(late)
            response = None
        if response is None:
            if self.faults.delay:
                time.sleep(self.faults.delay)
            response = self._answer(request.base_url, arguments)
        return response(environ, start_response)

    def _file_or_redirect(self, request: Request) -> Response:
        self.requests.append({"path": request.path})
        kind, _, name = request.path.strip("/").partition("/")
        if kind == "redirect" and name in self.redirects:
            return Response("", status=302, headers={"Location": self.redirects[name]})
        if kind == "files" and name in self.files:
            media_type, body = self.files[name]
            return Response(body, status=200, content_type=media_type)
        return Response("Không có tệp này", status=404)

    # --- faults that replace the answer ------------------------------------------------------------------------

    def _misbehaviour(self) -> Response | None:
        faults = self.faults
        if faults.fail_after is not None:
            if faults.fail_after <= 0:
                return Response("Lỗi máy chủ", status=500)
            faults.fail_after -= 1
        if faults.always_status:
            return Response("Lỗi máy chủ", status=faults.always_status)
        if faults.statuses:
            status, headers = faults.statuses.pop(0)
            return Response("Dịch vụ tạm ngừng", status=status, headers=headers)
        if faults.timeouts:
            faults.timeouts -= 1
            return _LATE
        if faults.html_pages:
            faults.html_pages -= 1
            return Response("<!DOCTYPE html><html><head><title>Hệ thống đang bảo trì</title></head>"
                            "<body><h1>Hệ thống đang bảo trì</h1></body></html>", status=200, mimetype="text/html")
        return None

    # --- OAI-PMH -----------------------------------------------------------------------------------------------

    def _answer(self, base_url: str, arguments: dict) -> Response:
        verb = arguments.get("verb", "")
        if verb in self.faults.verb_errors:
            return self._xml(base_url, arguments, _error(*self.faults.verb_errors[verb]))
        handler = {
            "Identify": self._identify, "ListMetadataFormats": self._formats, "ListSets": self._sets,
            "ListRecords": self._list_records, "GetRecord": self._get_record,
        }.get(verb)
        if handler is None:
            return self._xml(base_url, arguments, _error("badVerb", "unknown verb"))
        return self._xml(base_url, arguments, handler(base_url, arguments))

    def _identify(self, base_url: str, arguments: dict) -> str:
        return (f"<Identify><repositoryName>Kho thử lỗi</repositoryName><baseURL>{escape(base_url)}</baseURL>"
                "<protocolVersion>2.0</protocolVersion><adminEmail>luutru@example.invalid</adminEmail>"
                "<earliestDatestamp>2020-01-01T00:00:00Z</earliestDatestamp>"
                f"<deletedRecord>{self.faults.deleted_record}</deletedRecord>"
                f"<granularity>{self.faults.granularity}</granularity></Identify>")

    def _formats(self, base_url: str, arguments: dict) -> str:
        return "<ListMetadataFormats>" + "".join(
            f"<metadataFormat><metadataPrefix>{p}</metadataPrefix><schema>http://example.invalid/{p}.xsd</schema>"
            f"<metadataNamespace>http://example.invalid/{p}/</metadataNamespace></metadataFormat>"
            for p in self.faults.formats) + "</ListMetadataFormats>"

    def _sets(self, base_url: str, arguments: dict) -> str:
        if not self.faults.sets:
            return _error("noSetHierarchy", "no sets")
        return "<ListSets>" + "".join(f"<set><setSpec>{escape(s)}</setSpec><setName>{escape(n)}</setName></set>"
                                      for s, n in self.faults.sets) + "</ListSets>"

    def _get_record(self, base_url: str, arguments: dict) -> str:
        record = next((r for r in self.records if r.identifier == arguments.get("identifier")), None)
        if record is None:
            return _error("idDoesNotExist", "no such record")
        if arguments.get("metadataPrefix") not in self.faults.formats:
            return _error("cannotDisseminateFormat", "format not offered")
        return f"<GetRecord>{self._record_xml(record)}</GetRecord>"

    def _list_records(self, base_url: str, arguments: dict) -> str:
        if "resumptionToken" in arguments:
            if self.faults.expire_tokens:
                self.faults.expire_tokens -= 1
                return _error("badResumptionToken", "the resumption token has expired")
            try:
                query = json.loads(base64.urlsafe_b64decode(arguments["resumptionToken"]))
            except ValueError:
                return _error("badResumptionToken", "not a token of this repository")
        else:
            query = {"o": 0, "p": arguments.get("metadataPrefix"), "f": arguments.get("from"),
                     "u": arguments.get("until"), "s": arguments.get("set")}
            if query["p"] not in self.faults.formats:
                return _error("cannotDisseminateFormat", f"{query['p']} is not offered")
            for name in ("f", "u"):
                if query[name] and not _datestamp_fits(query[name], self.faults.granularity):
                    return _error("badArgument", f"{query[name]} does not match the granularity")
        matching = self._matching(query)
        if not matching:
            return _error("noRecordsMatch", "no records")
        size, offset = self.faults.page_size, query["o"]
        page = matching[offset:offset + size]
        previous = matching[max(offset - size, 0):offset] if offset else []
        page = page + [r for r in previous if r.local_id in self.faults.duplicate_on_next_page]
        body = "".join(self._record_xml(r) for r in page)
        next_offset = offset + size
        if self.faults.loop_token and offset >= size:
            token = arguments["resumptionToken"]
        elif next_offset < len(matching):
            token = base64.urlsafe_b64encode(json.dumps({**query, "o": next_offset}).encode()).decode()
        else:
            token = "" if offset else None
        if token is not None:
            body += (f'<resumptionToken completeListSize="{len(matching)}" cursor="{offset}" '
                     f'expirationDate="2099-01-01T00:00:00Z">{token}</resumptionToken>')
        return f"<ListRecords>{body}</ListRecords>"

    def _matching(self, query: dict) -> list[FaultRecord]:
        """The records the list holds, in its order. Read again for every page: tests change records between
        two pages."""
        return sorted((r for r in self.records if _matches(r, query)), key=lambda r: (r.datestamp, r.local_id))

    def _record_xml(self, record: FaultRecord) -> str:
        status = ' status="deleted"' if record.deleted else ""
        sets = "".join(f"<setSpec>{escape(s)}</setSpec>" for s in record.sets)
        header = (f"<header{status}><identifier>{escape(record.identifier)}</identifier>"
                  f"<datestamp>{record.datestamp}</datestamp>{sets}</header>")
        if record.deleted:
            return f"<record>{header}</record>"
        title = escape(record.title)
        if record.local_id in self.faults.control_characters:
            # Raw controls, then references XML forbids (U+FFFE, U+FFFF, a lone surrogate, U+0001) among
            # references it allows (đ as &#273;, a tab).
            title = ("Hồ sơ\x01 có ký tự\x0b điều khiển\x1f " + "&#xFFFE;có&#65535; &#xD800;tham&#x1; chiếu &#273;&#x9;"
                     + title)
        if record.local_id == self.faults.entity_record:
            title += " &e;"
        if record.local_id in self.faults.broken_records:
            title += " <b>không đóng thẻ & sai"  # not well-formed: an unclosed tag and a bare ampersand
        description = escape(record.description)
        if record.local_id in self.faults.huge_records:
            description = "Mô tả rất dài. " * (self.faults.huge_bytes // 16)
        metadata = (
            '<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/">'
            f"<dc:title>{title}</dc:title><dc:identifier>{escape(record.local_id)}</dc:identifier>"
            f"<dc:type>{escape(record.level)}</dc:type><dc:date>{escape(record.date)}</dc:date>"
            f"<dc:description>{description}</dc:description>"
            + "".join(f"<dc:relation>{escape(url)}</dc:relation>" for url in record.file_urls) +
            "<dc:coverage>Vĩnh Long</dc:coverage>"
            + "".join(f"<dc:rights>{escape(statement)}</dc:rights>" for statement in record.rights) +
            "<dc:language>vi</dc:language>"
            "</oai_dc:dc>")
        return f"<record>{header}<metadata>{metadata}</metadata></record>"

    def _xml(self, base_url: str, arguments: dict, body: str) -> Response:
        faults = self.faults
        declared = faults.declared_encoding or faults.body_encoding.upper()
        doctype = ""
        if faults.doctype == "xxe" and arguments.get("verb") == "ListRecords":
            doctype = '<!DOCTYPE OAI-PMH [<!ENTITY e SYSTEM "file:///etc/passwd">]>\n'
        elif faults.doctype == "billion-laughs" and arguments.get("verb") == "ListRecords":
            entities = '<!ENTITY a "lollollollollollollollollollol">' + "".join(
                f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(9))
            doctype = f"<!DOCTYPE OAI-PMH [{entities}<!ENTITY e \"&j;\">]>\n"
        request_attributes = "".join(f' {k}="{escape(v)}"' for k, v in arguments.items()
                                     if k in ("verb", "metadataPrefix", "from", "until", "set", "identifier"))
        now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        text = (f'<?xml version="1.0" encoding="{declared}"?>\n{doctype}<OAI-PMH xmlns="{OAI_NS}">'
                f"<responseDate>{now}</responseDate><request{request_attributes}>{escape(base_url)}</request>"
                f"{body}</OAI-PMH>")
        return Response(text.encode(faults.body_encoding, "xmlcharrefreplace"), status=200,
                        content_type="text/xml")


def _error(code: str, message: str) -> str:
    return f'<error code="{code}">{escape(message)}</error>'


def _matches(record: FaultRecord, query: dict) -> bool:
    if query.get("s") and query["s"] not in record.sets:
        return False
    if query.get("f") and record.datestamp[:len(query["f"])] < query["f"]:
        return False
    if query.get("u") and record.datestamp[:len(query["u"])] > query["u"]:
        return False
    return True


def _datestamp_fits(value: str, granularity: str) -> bool:
    return len(value) == 10 if granularity == "YYYY-MM-DD" else len(value) in (10, 20)


def numbered_records(count: int, start: int = 1, datestamp: str = "2025-01-01T00:00:00Z") -> list[FaultRecord]:
    """`count` plain records HS001, HS002, …, with dates in the shapes archives write them."""
    dates = ("1975", "03/1976", "1976-03-05", "năm 1980", "05/03/1976", "1975-1980")
    return [FaultRecord(f"HS{n:03d}", datestamp, f"Hồ sơ số {n} về công tác lưu trữ tỉnh Vĩnh Long",
                        date=dates[n % len(dates)]) for n in range(start, start + count)]
