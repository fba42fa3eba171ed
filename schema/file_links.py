"""Which of a source's links may be fetched, and an HTTP session that fetches nothing else.

Shared by the harvester (which downloads a record's files) and the portal (which relays them to a
reader): a province's system may be careless or hostile, and a link it sends must never make either
of them read their own services (OpenSearch, the portal, a cloud's metadata address). OWASP's SSRF
prevention cheat sheet, in two layers:

- the **file hosts** of a source: its own origin (scheme, host and port of its base URL) and the
  origins an admin added (`sources.file_hosts`). A link to any other origin is not fetched;
- the **address actually connected to**: after name resolution, and at every redirect hop, never a
  loopback, private (RFC 1918, fc00::/7), shared (100.64.0.0/10), link-local (169.254.0.0/16,
  fe80::/10), multicast, reserved or unspecified address, whatever the host list says. The one
  exception is the exact address and port of the source's own base URL (the demo archives live on
  127.0.0.1; an archive on a government network has a private address). The session resolves a name
  once and connects to the address it checked, so a name cannot resolve to a public address for the
  check and to 127.0.0.1 for the connection.
"""
from __future__ import annotations

import hashlib
import ipaddress
import socket
import tempfile
from dataclasses import dataclass, field
from functools import cached_property
from typing import BinaryIO
from urllib.parse import urljoin, urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import NameResolutionError, NewConnectionError
from urllib3.util.connection import allowed_gai_family

MAX_REDIRECTS = 5
_DEFAULT_PORTS = {"http": 80, "https": 443}


class LinkRefused(Exception):
    """A link the portal will not fetch; the message says why, in words an admin understands.
    Not an OSError on purpose: neither urllib3 nor requests retries or wraps it."""


Origin = tuple[str, str, int]  # scheme, host (lower case, IPv6 without brackets), port


def origin_of(url: str) -> Origin | None:
    """(scheme, host, port) of an http(s) address; None for anything else."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except (ValueError, AttributeError):
        return None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        return None
    return scheme, parts.hostname.lower().rstrip("."), port or _DEFAULT_PORTS[scheme]


def origin_text(origin: Origin) -> str:
    scheme, host, port = origin
    shown = f"[{host}]" if ":" in host else host
    return f"{scheme}://{shown}" if port == _DEFAULT_PORTS[scheme] else f"{scheme}://{shown}:{port}"


def parse_file_host(text: str) -> str:
    """An admin's file host as a canonical origin: `https://cdn.example.org`, `http://host:8080`; a bare
    host name means https. ValueError for anything that is not an origin (a path, a user, another scheme)."""
    text = (text or "").strip()
    if not text:
        raise ValueError("a file host cannot be empty")
    if "://" not in text:
        text = f"https://{text}"
    parts = urlsplit(text)
    origin = origin_of(text)
    if origin is None or parts.username or parts.password or parts.query or parts.fragment \
            or parts.path not in ("", "/"):
        raise ValueError(f"{text!r} is not a host: give scheme://host[:port], e.g. https://cdn.example.org")
    return origin_text(origin)


def forbidden_address(address: str) -> str | None:
    """Why an IP address is never connected to (loopback, private, …); None for a public address."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone
    if ip.version == 6:  # an IPv4 address carried inside IPv6 is judged as that IPv4 address
        embedded = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if embedded is not None:
            return forbidden_address(str(embedded))
    for kind, test in (("loopback", ip.is_loopback), ("unspecified", ip.is_unspecified),
                       ("link-local", ip.is_link_local), ("multicast", ip.is_multicast),
                       ("reserved", ip.is_reserved), ("private", ip.is_private)):
        if test:
            return kind
    if not ip.is_global:  # shared address space (100.64.0.0/10) and the like
        return "not public"
    return None


@dataclass
class FileLinkPolicy:
    """The links one source may have fetched: see the module's docstring."""

    base_url: str
    file_hosts: list[str] = field(default_factory=list)

    @classmethod
    def for_source(cls, source) -> "FileLinkPolicy":
        return cls(source.url, list(source.file_hosts or []))

    @cached_property
    def own_origin(self) -> Origin | None:
        return origin_of(self.base_url)

    @cached_property
    def origins(self) -> set[Origin]:
        allowed = {origin for origin in map(origin_of, self.file_hosts) if origin is not None}
        if self.own_origin is not None:
            allowed.add(self.own_origin)
        return allowed

    @cached_property
    def own_addresses(self) -> set[tuple[str, int]]:
        """The addresses of the base URL's host, at its port: the one place a private address may be."""
        if self.own_origin is None:
            return set()
        _, host, port = self.own_origin
        try:
            return {(_plain(info[4][0]), port) for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)}
        except (socket.gaierror, UnicodeError):
            return set()

    def check_url(self, url: str) -> None:
        """LinkRefused unless the link is an http(s) address on one of the source's file hosts."""
        origin = origin_of(url)
        if origin is None:
            raise LinkRefused("not an http(s) address")
        if origin not in self.origins:
            raise LinkRefused(f"{origin_text(origin)} is not one of the source's file hosts")

    def check_address(self, address: str, port: int) -> None:
        """LinkRefused for an address that is never connected to, unless it is the source's own."""
        reason = forbidden_address(address)
        if reason and (_plain(address), port) not in self.own_addresses:
            raise LinkRefused(f"{address} is a {reason} address")


def _plain(address: str) -> str:
    return str(ipaddress.ip_address(address.split("%", 1)[0]))


# --- the session ---------------------------------------------------------------------------------------------

class _CheckedConnection:
    """urllib3's connection, resolving the name itself and connecting only to an address the policy allows."""

    policy: FileLinkPolicy  # set on the subclass made for each session

    def _new_conn(self) -> socket.socket:
        try:
            found = socket.getaddrinfo(self._dns_host, self.port, allowed_gai_family(), socket.SOCK_STREAM)
        except socket.gaierror as error:
            raise NameResolutionError(self.host, self, error) from error
        error: OSError | None = None
        refused: LinkRefused | None = None
        # Only to the addresses that pass (a name may have a public and a private one), each checked before
        # the connection is made, and the peer checked again once it is.
        for family, kind, proto, _, sockaddr in found:
            try:
                self.policy.check_address(sockaddr[0], self.port)
            except LinkRefused as refusal:
                refused = refused or refusal
                continue
            sock = socket.socket(family, kind, proto)
            try:
                for option in self.socket_options or ():
                    sock.setsockopt(*option)
                if isinstance(self.timeout, (int, float)):
                    sock.settimeout(self.timeout)
                sock.connect(sockaddr)
                self.policy.check_address(sock.getpeername()[0], self.port)
                return sock
            except OSError as failed:
                sock.close()
                error = failed
            except LinkRefused:
                sock.close()
                raise
        if error is None and refused is not None:
            raise LinkRefused(f"{self.host}: {refused}")
        raise _connection_error(self, error)


def _connection_error(connection, error: OSError | None) -> NewConnectionError:
    return NewConnectionError(connection, f"Failed to establish a new connection: {error}")


class _CheckedAdapter(HTTPAdapter):
    def __init__(self, policy: FileLinkPolicy, **kwargs):
        http = type("CheckedHTTPConnection", (_CheckedConnection, HTTPConnection), {"policy": policy})
        https = type("CheckedHTTPSConnection", (_CheckedConnection, HTTPSConnection), {"policy": policy})
        self._pool_classes = {
            "http": type("CheckedHTTPConnectionPool", (HTTPConnectionPool,), {"ConnectionCls": http}),
            "https": type("CheckedHTTPSConnectionPool", (HTTPSConnectionPool,), {"ConnectionCls": https}),
        }
        super().__init__(**kwargs)

    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = self._pool_classes

    def proxy_manager_for(self, proxy, **proxy_kwargs):  # a proxy would be the address checked, not the file's
        raise LinkRefused("file links are never fetched through a proxy")


def guarded_session(policy: FileLinkPolicy, pool_size: int = 10) -> requests.Session:
    """A session for one source's links: no proxy from the environment, every connection checked."""
    session = requests.Session()
    session.trust_env = False  # HTTP(S)_PROXY and .netrc are for the portal's own calls, not for a source's links
    session.max_redirects = MAX_REDIRECTS
    adapter = _CheckedAdapter(policy, pool_connections=pool_size, pool_maxsize=pool_size)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.file_link_policy = policy
    return session


def open_link(session: requests.Session, url: str, timeout: float) -> requests.Response:
    """The response to GET url (streamed, the caller closes it), redirects followed by hand so that each hop
    is checked against the source's file hosts before it is asked for; LinkRefused names the hop refused."""
    policy: FileLinkPolicy = session.file_link_policy
    for hop in range(MAX_REDIRECTS + 1):
        try:
            policy.check_url(url)
            response = session.get(url, stream=True, timeout=timeout, allow_redirects=False)
        except LinkRefused as refused:
            raise LinkRefused(f"redirected to {url}: {refused}" if hop else str(refused)) from None
        if not response.is_redirect:
            return response
        location = response.headers.get("Location", "")
        response.close()
        url = urljoin(url, location)
    raise LinkRefused(f"more than {MAX_REDIRECTS} redirects")


# --- a file, downloaded --------------------------------------------------------------------------------------

# A file is held in memory up to this size; a larger one goes to a temporary file on disk as it arrives.
SPOOL_BYTES = 4 * 1024 * 1024
CHUNK = 256 * 1024


class FileTooLarge(Exception):
    pass


@dataclass
class Downloaded:
    """A downloaded file: open at its start, with what was learnt while it arrived."""

    file: BinaryIO
    size: int
    sha256: str
    media_type: str

    def close(self) -> None:
        self.file.close()


def download(http: requests.Session, url: str, max_bytes: int, timeout: float) -> Downloaded:
    """The file at a link, through a guarded session (LinkRefused for a link it may not follow), hashed as
    it arrives and spooled to disk past SPOOL_BYTES, so that a large file is never held in memory; stops
    reading past max_bytes (FileTooLarge). The caller closes it."""
    with open_link(http, url, timeout) as response:
        response.raise_for_status()
        media_type = response.headers.get("Content-Type", "application/octet-stream").split(";")[0].strip()
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > max_bytes:
            raise FileTooLarge(f"larger than {max_bytes} bytes ({declared} bytes)")
        spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES, prefix="file-link-")
        digest, size = hashlib.sha256(), 0
        try:
            for chunk in response.iter_content(CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    raise FileTooLarge(f"larger than {max_bytes} bytes")
                digest.update(chunk)
                spool.write(chunk)
        except BaseException:
            spool.close()
            raise
    spool.seek(0)
    return Downloaded(spool, size, digest.hexdigest(), media_type or "application/octet-stream")
