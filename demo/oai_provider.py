"""The Flask app of the demo archives: each archive's OAI-PMH endpoint, record landing pages and file downloads.

    /<slug>/oai                          OAI-PMH 2.0 (GET or POST), see oai_verbs
    /<slug>/records/<local_id>           a small HTML landing page (the URL in the second dc:identifier)
    /<slug>/files/<local_id>/<name>      the bytes of a file (the URLs in dc:relation)

URLs in responses are built from the host the request came in on, so the provider works on any port. Files of
restricted and closed records are served too: the provider stands for the archive's own system, which hands
everything to the portal's harvester; keeping content from readers is the portal's job.
"""

from __future__ import annotations

from datetime import datetime, timezone

from flask import Blueprint, Flask, Response, abort, current_app, request
from markupsafe import escape

from demo.files import render_file
from demo.links import oai_base_url
from demo.models import ACCESS_WORDING, Archive, DemoRecord
from demo.oai_verbs import answer

EXTENSION_KEY = "demo_archives"
XML_CONTENT_TYPE = "text/xml; charset=utf-8"

provider = Blueprint("demo_provider", __name__)


class ProviderSettings:
    """What the routes read from the app: the archives by slug and the page size of list responses."""

    def __init__(self, archives: dict[str, Archive], page_size: int):
        self.archives = archives
        self.page_size = page_size


def create_provider_app(archives: dict[str, Archive], page_size: int = 100) -> Flask:
    """The provider serving these archives; lists are split into pages of `page_size` records."""
    if page_size < 1:
        raise ValueError("page_size must be at least 1")
    app = Flask(__name__)
    app.extensions[EXTENSION_KEY] = ProviderSettings(archives, page_size)
    app.register_blueprint(provider)
    return app


def _settings() -> ProviderSettings:
    return current_app.extensions[EXTENSION_KEY]


def _archive_or_404(slug: str) -> Archive:
    archive = _settings().archives.get(slug)
    if archive is None:
        abort(404)
    return archive


def _live_record_or_404(archive: Archive, local_id: str) -> DemoRecord:
    record = archive.record_by_local_id(local_id)
    if record is None or record.deleted:
        abort(404)
    return record


@provider.get("/")
def index() -> str:
    items = "".join(
        f'<li>{escape(archive.name)}: <a href="{escape(oai_base_url(request.host_url, slug))}?verb=Identify">'
        f"{escape(oai_base_url(request.host_url, slug))}</a></li>"
        for slug, archive in _settings().archives.items()
    )
    return _html_page("Lưu trữ lịch sử – dữ liệu mẫu", f"<h1>Kho lưu trữ mẫu (OAI-PMH)</h1><ul>{items}</ul>")


@provider.route("/<slug>/oai", methods=["GET", "POST"])
def oai_endpoint(slug: str) -> Response:
    archive = _archive_or_404(slug)
    pairs = list(request.args.items(multi=True))
    if request.method == "POST":
        pairs += list(request.form.items(multi=True))
    body = answer(archive, pairs, request.host_url, _settings().page_size, datetime.now(timezone.utc))
    return Response(body, content_type=XML_CONTENT_TYPE)


@provider.get("/<slug>/records/<path:local_id>")
def record_page(slug: str, local_id: str) -> str:
    record = _live_record_or_404(_archive_or_404(slug), local_id)
    body = (
        f"<h1>{escape(record.title)}</h1>"
        "<dl>"
        f"<dt>Mã hồ sơ / ký hiệu</dt><dd>{escape(record.reference_code)}</dd>"
        f"<dt>Cấp mô tả</dt><dd>{escape(record.level)}</dd>"
        f"<dt>Thời gian</dt><dd>{escape(record.date_start)} – {escape(record.date_end)}</dd>"
        f"<dt>Mức độ tiếp cận</dt><dd>{escape(ACCESS_WORDING[record.access])}</dd>"
        "</dl>"
    )
    return _html_page(record.title, body)


@provider.get("/<slug>/files/<path:local_id>/<name>")
def file_download(slug: str, local_id: str, name: str) -> Response:
    record = _live_record_or_404(_archive_or_404(slug), local_id)
    demo_file = record.file_named(name)
    if demo_file is None:
        abort(404)
    response = Response(render_file(record, demo_file), mimetype=demo_file.media_type)
    response.headers["Content-Disposition"] = f'inline; filename="{demo_file.name}"'
    return response


def _html_page(title: str, body: str) -> str:
    return (f'<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>{escape(title)}</title></head>'
            f"<body>{body}</body></html>")
