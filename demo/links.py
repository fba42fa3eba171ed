"""The URLs of a demo record's landing page and files, relative to the base URL the request came in on."""

from __future__ import annotations

from urllib.parse import quote


def oai_base_url(host_url: str, slug: str) -> str:
    return f"{_with_slash(host_url)}{slug}/oai"


def record_url(host_url: str, slug: str, local_id: str) -> str:
    return f"{_with_slash(host_url)}{slug}/records/{quote(local_id, safe='/')}"


def file_url(host_url: str, slug: str, local_id: str, file_name: str) -> str:
    return f"{_with_slash(host_url)}{slug}/files/{quote(local_id, safe='/')}/{quote(file_name, safe='')}"


def _with_slash(host_url: str) -> str:
    return host_url if host_url.endswith("/") else host_url + "/"
