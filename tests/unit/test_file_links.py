"""The rules of schema/file_links.py: which origins a source's links may name, which addresses are never
connected to, and the session that holds to both through name resolution and redirects."""
from __future__ import annotations

import http.server
import socketserver
import threading

import pytest

from schema.file_links import (
    FileLinkPolicy,
    LinkRefused,
    forbidden_address,
    guarded_session,
    open_link,
    parse_file_host,
)


@pytest.mark.parametrize("address,kind", [
    ("127.0.0.1", "loopback"), ("127.8.9.10", "loopback"), ("::1", "loopback"),
    ("::ffff:127.0.0.1", "loopback"), ("2002:7f00:1::", "loopback"),  # IPv4 inside IPv6 (mapped, 6to4)
    ("10.0.0.5", "private"), ("172.16.3.4", "private"), ("192.168.1.1", "private"), ("fc00::1", "private"),
    ("169.254.169.254", "link-local"), ("fe80::1%eth0", "link-local"),  # the cloud metadata address; a zone
    ("224.0.0.1", "multicast"), ("ff02::1", "multicast"), ("0.0.0.0", "unspecified"), ("::", "unspecified"),
    ("100.64.0.1", "not public"), ("240.0.0.1", "reserved"),
])
def test_addresses_never_connected_to(address, kind):
    assert forbidden_address(address) == kind


@pytest.mark.parametrize("address", ["8.8.8.8", "203.113.131.1", "2001:4860:4860::8888"])
def test_public_addresses_pass(address):
    assert forbidden_address(address) is None


@pytest.mark.parametrize("typed,origin", [
    ("cdn.example.org", "https://cdn.example.org"), ("HTTPS://CDN.Example.org/", "https://cdn.example.org"),
    ("http://files.luutru.gov.vn:8080", "http://files.luutru.gov.vn:8080"), ("http://h:80", "http://h"),
    ("https://[2001:db8::1]:8443", "https://[2001:db8::1]:8443"),
])
def test_a_file_host_is_kept_as_its_origin(typed, origin):
    assert parse_file_host(typed) == origin


@pytest.mark.parametrize("typed", ["", "ftp://cdn.example.org", "https://user@cdn.example.org",
                                   "https://cdn.example.org/files", "https://cdn.example.org/?a=1", "https://"])
def test_what_is_not_an_origin_is_refused_as_a_file_host(typed):
    with pytest.raises(ValueError):
        parse_file_host(typed)


def test_a_link_must_be_on_the_sources_own_origin_or_an_added_host():
    policy = FileLinkPolicy("https://oai.luutru.vinhlong.gov.vn/oai", ["https://cdn.example.org"])
    policy.check_url("https://oai.luutru.vinhlong.gov.vn/files/a.pdf")
    policy.check_url("https://OAI.luutru.vinhlong.gov.vn:443/files/a.pdf")
    policy.check_url("https://cdn.example.org/a.pdf")
    for url, reason in (("http://oai.luutru.vinhlong.gov.vn/files/a.pdf", "not one of the source's file hosts"),
                        ("https://oai.luutru.vinhlong.gov.vn:8443/a.pdf", "not one of the source's file hosts"),
                        ("https://cdn.example.org.evil.test/a.pdf", "not one of the source's file hosts"),
                        ("file:///etc/passwd", "not an http(s) address"),
                        ("gopher://127.0.0.1:6379/_FLUSHALL", "not an http(s) address")):
        with pytest.raises(LinkRefused, match=reason.replace("(", r"\(").replace(")", r"\)")):
            policy.check_url(url)


def test_only_the_sources_own_address_and_port_may_be_private():
    policy = FileLinkPolicy("http://127.0.0.1:5100/vinhlong/oai")
    policy.check_address("127.0.0.1", 5100)
    with pytest.raises(LinkRefused, match="loopback"):
        policy.check_address("127.0.0.1", 9200)
    with pytest.raises(LinkRefused, match="loopback"):
        policy.check_address("127.0.0.2", 5100)
    FileLinkPolicy("https://oai.example.org/oai").check_address("8.8.8.8", 443)


class _Site:
    """A server on loopback whose paths answer or redirect."""

    def __init__(self, redirects: dict[str, str]):
        site = self
        self.asked: list[str] = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                site.asked.append(self.path)
                if self.path in redirects:
                    self.send_response(302)
                    self.send_header("Location", redirects[self.path])
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture()
def two_sites():
    source, inner = _Site({}), _Site({})
    yield source, inner
    source.server.shutdown()
    inner.server.shutdown()


def test_the_session_connects_to_the_sources_own_address_and_follows_redirects_it_may():
    site = _Site({"/a": "/b"})
    try:
        source_url = f"http://127.0.0.1:{site.port}"
        session = guarded_session(FileLinkPolicy(f"{source_url}/oai", [f"http://localhost:{site.port}"]))
        assert open_link(session, f"{source_url}/x", 5).content == b"ok"
        assert open_link(session, f"http://localhost:{site.port}/by-name", 5).content == b"ok"
        assert open_link(session, f"{source_url}/a", 5).content == b"ok"
        assert site.asked == ["/x", "/by-name", "/a", "/b"]
    finally:
        site.server.shutdown()


def test_a_name_or_a_redirect_that_lands_on_loopback_is_refused_before_connecting(two_sites):
    _, inner = two_sites
    redirecting = _Site({"/to-inner": f"http://localhost:{inner.port}/secret",
                         "/to-other-host": f"http://127.0.0.1:{inner.port}/secret"})
    try:
        policy = FileLinkPolicy(f"http://127.0.0.1:{redirecting.port}/oai", [f"http://localhost:{inner.port}"])
        session = guarded_session(policy)
        with pytest.raises(LinkRefused, match="loopback"):
            open_link(session, f"http://localhost:{inner.port}/secret", 5)  # an admin's careless host
        with pytest.raises(LinkRefused, match=f"redirected to http://localhost:{inner.port}/secret: .*loopback"):
            open_link(session, f"http://127.0.0.1:{redirecting.port}/to-inner", 5)
        with pytest.raises(LinkRefused, match="redirected to .* is not one of the source's file hosts"):
            open_link(session, f"http://127.0.0.1:{redirecting.port}/to-other-host", 5)
        assert inner.asked == []
    finally:
        redirecting.server.shutdown()


def test_the_session_ignores_proxies_from_the_environment(monkeypatch, two_sites):
    source, _ = two_sites
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")  # would be asked instead of the source
    session = guarded_session(FileLinkPolicy(f"http://127.0.0.1:{source.port}/oai"))
    assert open_link(session, f"http://127.0.0.1:{source.port}/x", 5).content == b"ok"
