"""The record schema of DESIGN §2: levels, access levels and how a record id is formed."""

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
