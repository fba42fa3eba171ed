"""The record schema of DESIGN §2: levels, access levels, how a record id is formed, and what makes two
versions of a record the same."""
import hashlib

import orjson

LEVELS = ("fonds", "series", "file", "item")

# Mức độ tiếp cận (Luật Lưu trữ 2024): Công khai, Sử dụng có điều kiện, Mật.
ACCESS_PUBLIC = "public"
ACCESS_RESTRICTED = "restricted"
ACCESS_CLOSED = "closed"
ACCESS_LEVELS = (ACCESS_PUBLIC, ACCESS_RESTRICTED, ACCESS_CLOSED)

ID_SEPARATOR = ":"


def record_id(source_id: str, local_identifier: str) -> str:
    """The stable, globally unique id: re-harvesting the same source never changes it."""
    return f"{source_id}{ID_SEPARATOR}{local_identifier}"


# When we read a record and when it last changed are not what it says.
PROVENANCE_FIELDS = ("harvested_at", "changed_at", "content_hash")


def content_hash(document: dict) -> str:
    """What the record says, without when we read it: equal hashes mean an unchanged record."""
    stable = {key: value for key, value in document.items() if key not in PROVENANCE_FIELDS}
    return hashlib.sha256(orjson.dumps(stable, option=orjson.OPT_SORT_KEYS, default=str)).hexdigest()
