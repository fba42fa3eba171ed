"""The creators' authority records and the name forms that lead to them.

Created by migrations/versions/0019_creators.py; keep them in step. The index keeps the names as the sources
send them (`creator`, with `origin_province_current`); a name form here ties one spelling in one current
province to its creator, so an admin's merge or split is a change of rows here and survives any re-harvest.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from schema.tables import Base, utcnow

# ISAAR(CPF) 5.1.1 type of entity, in EAC-CPF's words.
CORPORATE_BODY = "corporateBody"  # what a creator is taken for until its source or its admins say otherwise
ENTITY_TYPES = (CORPORATE_BODY, "person", "family")
MAX_NAME = 512  # the index keeps `creator.raw` up to this many characters
MAX_DATES = 100
MAX_CREATOR_ID = 2**31 - 1  # a creator's number fits the database's integer; a larger one names none


class Creator(Base):
    __tablename__ = "creators"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entity_type: Mapped[str] = mapped_column(String(16), default=CORPORATE_BODY)
    name: Mapped[str] = mapped_column(String(MAX_NAME))  # the authorised form: the first spelling met
    province: Mapped[str] = mapped_column(String(2))  # the current province its first name form belongs to
    # ISAAR(CPF) 5.2.1, as its admins write it ("1976–2025", "thành lập 1976"); no source sends it.
    dates_of_existence: Mapped[str] = mapped_column(String(MAX_DATES), default="")
    # A creator merged into another leads there (its page redirects); its name forms moved with the merge.
    merged_into: Mapped[int | None] = mapped_column(ForeignKey("creators.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class CreatorName(Base):
    """One spelling of a creator's name as a source sent it, in one current province."""
    __tablename__ = "creator_names"
    __table_args__ = (UniqueConstraint("name", "province", name="uq_creator_names_name_province"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    creator_id: Mapped[int] = mapped_column(ForeignKey("creators.id"), index=True)
    name: Mapped[str] = mapped_column(String(MAX_NAME))
    name_key: Mapped[str] = mapped_column(String(MAX_NAME), index=True)  # portal.creators.names.name_key
    province: Mapped[str] = mapped_column(String(2))
    first_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class CreatorsKeptApart(Base):
    """Two creators an admin looked at and kept apart: no longer listed as a doubt."""
    __tablename__ = "creators_kept_apart"

    first_id: Mapped[int] = mapped_column(ForeignKey("creators.id"), primary_key=True)  # the lower id
    second_id: Mapped[int] = mapped_column(ForeignKey("creators.id"), primary_key=True)
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    decided_by: Mapped[str] = mapped_column(String(320))
