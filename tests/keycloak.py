"""The real Keycloak that officials sign in through, for the integration and browser tests
(a pytest plugin of tests/conftest.py: the `keycloak` fixture is everywhere).

`keycloak` starts it with scripts/keycloak.sh when it is not running, and reads the client
secret and the demo users' passwords from the secrets file that script writes (never from
the repository). `keycloak_sign_in` drives Keycloak's own HTML login form with `requests`.
"""
from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import lxml.html
import pytest
import requests

PROJECT_DIR = Path(__file__).resolve().parent.parent
RUNTIME_DIR = Path(os.environ.get("PORTAL_RUNTIME_DIR", "/var/tmp/archives-portal"))
DEFAULT_ISSUER = f"http://127.0.0.1:{os.environ.get('KEYCLOAK_PORT', '8180')}/realms/archives"
# Demo users of keycloak/archives-realm.json → the variable in secrets.env holding their password.
PASSWORD_VARIABLES = {
    "vinhlong.staff": "ARCHIVES_DEMO_PASSWORD_VINHLONG_STAFF",
    "hue.admin": "ARCHIVES_DEMO_PASSWORD_HUE_ADMIN",
    "national.admin": "ARCHIVES_DEMO_PASSWORD_NATIONAL_ADMIN",
    "auditor": "ARCHIVES_DEMO_PASSWORD_AUDITOR",
    "official.nogroup": "ARCHIVES_DEMO_PASSWORD_OFFICIAL",
}


@dataclass(frozen=True)
class Keycloak:
    issuer: str
    client_id: str
    client_secret: str
    passwords: dict

    def portal_settings(self) -> dict:
        return {"OIDC_ISSUER": self.issuer, "OIDC_CLIENT_ID": self.client_id,
                "OIDC_CLIENT_SECRET": self.client_secret}


class BrowserLikeSession(requests.Session):
    """Browsers count http://127.0.0.1 as a secure context and send it Secure cookies (Keycloak sets
    its login cookies Secure); `requests` would not, and Keycloak would lose track of the login."""

    LOOPBACK = ("127.0.0.1", "localhost", "localhost.local", "::1")

    def prepare_request(self, request):
        for cookie in self.cookies:
            if cookie.secure and cookie.domain in self.LOOPBACK:
                cookie.secure = False
        return super().prepare_request(request)


def browser_like_session() -> requests.Session:
    http = BrowserLikeSession()
    http.headers["Accept-Language"] = "vi"
    return http


def _read_env_file(path: Path) -> dict:
    values = {}
    for line in path.read_text().splitlines():
        if line.strip() and not line.startswith("#") and "=" in line:
            name, _, value = line.partition("=")
            values[name.strip()] = value.strip()
    return values


def _issuer_answers(issuer: str) -> bool:
    try:
        return requests.get(f"{issuer}/.well-known/openid-configuration", timeout=5).ok
    except requests.RequestException:
        return False


@pytest.fixture(scope="session")
def keycloak() -> Keycloak:
    issuer = os.environ.get("OIDC_ISSUER") or DEFAULT_ISSUER
    if not _issuer_answers(issuer):
        subprocess.run([str(PROJECT_DIR / "scripts" / "keycloak.sh"), "start"], check=True, timeout=600)
    secrets = _read_env_file(RUNTIME_DIR / "keycloak" / "secrets.env")
    return Keycloak(issuer=issuer, client_id=os.environ.get("OIDC_CLIENT_ID") or "archives-portal",
                    client_secret=secrets["ARCHIVES_OIDC_CLIENT_SECRET"],
                    passwords={user: secrets[name] for user, name in PASSWORD_VARIABLES.items()})


def with_query(url: str, **changes) -> str:
    """The URL with some query parameters replaced."""
    parts = urlsplit(url)
    query = {name: values[0] for name, values in parse_qs(parts.query).items()}
    query.update(changes)
    return urlunsplit(parts._replace(query=urlencode(query)))


def query_of(url: str) -> dict:
    return {name: values[0] for name, values in parse_qs(urlsplit(url).query).items()}


def submit_login_form(http: requests.Session, login_page: requests.Response, username: str,
                      password: str) -> requests.Response:
    """Fill Keycloak's login page as a person would; returns Keycloak's answer (not followed)."""
    assert login_page.status_code == 200, login_page.text[:500]
    form = lxml.html.fromstring(login_page.text).get_element_by_id("kc-form-login")
    fields = {name: value or "" for name, value in form.form_values()}
    fields.update(username=username, password=password)
    return http.post(form.get("action"), data=fields, allow_redirects=False, timeout=30)


def keycloak_sign_in(http: requests.Session, portal_url: str, username: str, password: str,
                     tamper=None) -> str:
    """From the portal's SSO link through Keycloak's login form; returns the callback URL that
    Keycloak sends the browser back to (not yet followed). `tamper` may rewrite the
    authorization request on its way to Keycloak, as an attacker in the middle would."""
    start = http.get(f"{portal_url}/auth/oidc/login", allow_redirects=False, timeout=30)
    assert start.status_code == 302, start.text[:500]
    authorization_url = start.headers["Location"]
    if tamper:
        authorization_url = tamper(authorization_url)
    login_page = http.get(authorization_url, timeout=30)
    answer = submit_login_form(http, login_page, username, password)
    assert answer.status_code == 302, answer.text[:1000]
    callback = answer.headers["Location"]
    assert callback.startswith(f"{portal_url}/auth/oidc/callback?"), callback
    return callback
