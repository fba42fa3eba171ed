"""Test helpers for the access workflow: find restricted records of the demo through the API,
ask for access and decide through the real forms."""
from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from flask.testing import FlaskClient

from tests.accounts import csrf_token, signed_in_client

TOKEN = re.compile(r"MATKHAU\d{4}")


def unique_email(name: str) -> str:
    return f"{name}-{uuid.uuid4().hex[:8]}@example.vn"


@dataclass
class FileWithSecrets:
    """A file of Vĩnh Long whose restricted items carry MATKHAU tokens in their text."""
    file_id: str
    series_id: str
    fonds_id: str
    items: dict[str, str]  # item id → the token in its content


def restricted_files(app, province: str = "86") -> list[FileWithSecrets]:
    """Files holding restricted items with text, found through the API as a national admin."""
    admin = signed_in_client(app, unique_email("finder"), "national_admin")
    items, page = [], 1
    while True:
        answer = admin.get("/api/v1/search", query_string={
            "access": "restricted", "province": province, "level": "item", "size": 100, "page": page}).get_json()
        items += answer["hits"]
        if page * 100 >= answer["total"]:
            break
        page += 1
    by_file: dict[str, FileWithSecrets] = {}
    for hit in items:
        record = admin.get(f"/api/v1/records/{hit['id']}").get_json()
        tokens = TOKEN.findall(record.get("content") or "")
        if not tokens:
            continue
        path = record["path"]
        entry = by_file.setdefault(record["parent_id"], FileWithSecrets(record["parent_id"], path[-2], path[0], {}))
        entry.items[record["id"]] = tokens[0]
    return sorted(by_file.values(), key=lambda f: f.file_id)


def file_and_neighbour(files: list[FileWithSecrets]) -> tuple[FileWithSecrets, FileWithSecrets]:
    """A file and another one, of the same series if the demo has such a pair."""
    for first in files:
        for second in files:
            if first is not second and first.series_id == second.series_id:
                return first, second
    return files[0], files[1]


def ask_for_access(client: FlaskClient, record_id: str, purpose: str = "personal",
                   use: str = "Nghiên cứu lịch sử địa phương", **extra):
    page = client.get("/requests/new", query_string={"record": record_id})
    data = {"csrf_token": csrf_token(page.text), "purpose": purpose, "use_description": use,
            "research_topic": extra.get("research_topic", "Lịch sử hành chính"),
            "period_wanted": extra.get("period_wanted", "1990–2000")}
    return client.post(f"/requests/new?record={record_id}", data=data)


def request_id_of(response) -> int:
    return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])


_VERSION = re.compile(r'name="version" value="(\d+)"')


def decide(client: FlaskClient, request_id: int, decision: str, **fields):
    page = client.get(f"/staff/requests/{request_id}")
    assert page.status_code == 200, page.status_code
    data = {"csrf_token": csrf_token(page.text), "version": _VERSION.search(page.text).group(1)}
    if decision == "approve":
        data.update(scope=fields.get("scope", "file"),
                    expires_on=fields.get("expires_on", (date.today() + timedelta(days=90)).isoformat()),
                    note=fields.get("note", ""))
    else:
        data.update(reason=fields.get("reason", ""))
    if "version" in fields:
        data["version"] = str(fields["version"])
    return client.post(f"/staff/requests/{request_id}/{decision}", data=data)
