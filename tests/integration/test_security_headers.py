"""The security headers of every response (portal/security_headers.py), on the harvested demo portal:
a Content-Security-Policy with no inline script or style, no framing, no sniffing; HSTS only behind
HTTPS; and a view's own stricter policy (file downloads) left as it is."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from portal.opensearch import build_client
from schema.index import alias_name
from tests.accounts import signed_in_client
from tests.conftest import make_portal

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def _policy(response) -> dict[str, list[str]]:
    directives = {}
    for directive in response.headers["Content-Security-Policy"].split(";"):
        name, *values = directive.split()
        directives[name] = values
    return directives


def _public_record_with_a_file(app) -> str:
    answer = build_client(app.config["OPENSEARCH_URL"]).search(
        index=alias_name(app.config["OPENSEARCH_INDEX_PREFIX"]), body={
            "size": 1, "_source": ["id"], "sort": [{"id": "asc"}],
            "query": {"bool": {"filter": [{"term": {"access": "public"}}, {"exists": {"field": "files"}}]}}})
    return answer["hits"]["hits"][0]["_source"]["id"]


@pytest.mark.parametrize("path", ["/", "/search?q=quyet+dinh", "/login", "/api/v1/search?q=hue", "/healthz",
                                  "/static/portal.css", "/no-such-page"])
def test_every_response_carries_the_security_headers(client, path):
    response = client.get(path)
    assert response.status_code in (200, 404)
    policy = _policy(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"] and policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"] and policy["form-action"][0] == "'self'"
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    assert "unsafe-eval" not in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "camera=()" in response.headers["Permissions-Policy"]
    assert "Strict-Transport-Security" not in response.headers  # plain HTTP here


def test_hsts_only_when_session_cookies_are_secure(tmp_path_factory):
    app = make_portal(tmp_path_factory, SESSION_COOKIE_SECURE=True)
    response = app.test_client().get("/healthz")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"


def test_the_sign_out_form_may_reach_the_identity_provider_when_sso_is_configured(tmp_path_factory):
    app = make_portal(tmp_path_factory, OIDC_ISSUER="https://sso.example.gov.vn/realms/archives")
    policy = _policy(app.test_client().get("/healthz"))
    assert policy["form-action"] == ["'self'", "https://sso.example.gov.vn"]


def test_without_sso_forms_post_only_to_the_portal(tmp_path_factory):
    app = make_portal(tmp_path_factory, OIDC_ISSUER="")
    assert _policy(app.test_client().get("/healthz"))["form-action"] == ["'self'"]


def test_a_file_download_keeps_its_own_stricter_policy(client, harvested_app):
    record_id = _public_record_with_a_file(harvested_app)
    response = client.get(f"/records/{record_id}/files/1")
    assert response.status_code == 200, response.text[:300]
    assert response.headers["Content-Security-Policy"] == "sandbox; default-src 'none'"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["X-Frame-Options"] == "DENY"


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_STYLE = re.compile(r"<style\b|\sstyle\s*=", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)


def test_no_template_holds_inline_script_style_or_handler():
    offending = []
    for template in sorted(TEMPLATES.rglob("*.html")):
        if "mail" in template.relative_to(TEMPLATES).parts:  # e-mails are not served under the policy
            continue
        text = template.read_text(encoding="utf-8")
        for pattern in (INLINE_SCRIPT, INLINE_STYLE, INLINE_HANDLER):
            offending += [f"{template.relative_to(TEMPLATES)}: {match.group(0)}" for match in pattern.finditer(text)]
    assert offending == []


def test_the_pages_served_hold_no_inline_script_style_or_handler(client, harvested_app):
    staff = signed_in_client(harvested_app, "headers.admin@example.gov.vn", "national_admin")
    record_id = _public_record_with_a_file(harvested_app)
    pages = [(client, "/"), (client, "/search?q=quyet+dinh"), (client, f"/records/{record_id}"),
             (client, "/login"), (client, "/register"), (client, "/browse"),
             (staff, "/admin/sources"), (staff, "/admin/harvests"), (staff, "/audit"), (staff, "/admin/users")]
    for who, path in pages:
        response = who.get(path)
        assert response.status_code == 200, path
        html = response.get_data(as_text=True)
        for pattern in (INLINE_SCRIPT, INLINE_STYLE, INLINE_HANDLER):
            assert not pattern.search(html), (path, pattern.search(html).group(0))
    assert 'class="histogram"' in client.get("/search?q=quyet+dinh").get_data(as_text=True)
