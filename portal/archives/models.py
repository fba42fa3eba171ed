"""The description of each province's holding archive (ISDIAH), one row a province.

Created and seeded by migrations/versions/0017_archives.py; keep them in step.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Float, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from schema.tables import Base

# ISDIAH's areas as fields: what an admin may set, with the longest text each takes.
TEXT_FIELDS = {
    "name": 255,  # 5.1.2 authorised form of name
    "other_names": 1000,  # 5.1.3–5.1.4 parallel and other forms
    "address": 1000,  # 5.2.1 location and address
    "phone": 64,  # 5.2.2 telephone
    "email": 320,  # 5.2.2 e-mail
    "website": 1024,  # 5.2.2 website
    "opening_hours": 2000,  # 5.4.1 opening times
    "reading_room": 4000,  # 5.4.2–5.5.1 conditions of access, the reading room
    "copies": 4000,  # 5.5.2 reproduction services: how to ask for copies
}


class Archive(Base):
    __tablename__ = "archives"

    province: Mapped[str] = mapped_column(String(2), primary_key=True)  # the holding province's code
    name: Mapped[str] = mapped_column(String(255))
    other_names: Mapped[str] = mapped_column(Text, default="")
    address: Mapped[str] = mapped_column(Text, default="")
    phone: Mapped[str] = mapped_column(String(64), default="")
    email: Mapped[str] = mapped_column(String(320), default="")
    website: Mapped[str] = mapped_column(String(1024), default="")
    opening_hours: Mapped[str] = mapped_column(Text, default="")
    reading_room: Mapped[str] = mapped_column(Text, default="")
    copies: Mapped[str] = mapped_column(Text, default="")
    # Where the map puts it: the province's centre until an admin gives the archive's own place.
    latitude: Mapped[float | None] = mapped_column(Float, nullable=True)
    longitude: Mapped[float | None] = mapped_column(Float, nullable=True)
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    updated_by: Mapped[str | None] = mapped_column(String(320), nullable=True)
