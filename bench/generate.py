"""Synthetic but realistic records for the benchmark, and loading them into a `bench-` index.

`generate_records(total, seed)` yields exactly `total` documents of `schema.index.MAPPINGS`, one at a
time (memory stays flat for a million): fonds > series > file > item with `parent_id` and `path`,
held by the 34 current provinces and produced by the 63 former ones mapped to them (both tables
from `vietnam-provinces` and `vietnamadminunits`), dated 1975–2024, about 80/15/5 public /
restricted / closed, with a few hundred words of `content` on about a fifth of the items. One
seeded `random.Random` and no wall clock: the same seed gives the same records.

`load_index(...)` writes them with `opensearchpy.helpers.parallel_bulk` into a fresh index behind
the alias `bench-records`, with refresh switched off while loading.

    python -m bench.generate --records 20000 [--seed S]   # loads and keeps the index
"""
from __future__ import annotations

import argparse
import itertools
import math
import random
import sys
import time
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import lru_cache

from bench.vocabulary import (
    AGENCIES,
    BODY_SENTENCES,
    CLOSED_REASONS,
    COPY_KINDS,
    COUNCIL_TERMS,
    DEPARTMENTS,
    DISASTERS,
    DOC_TYPE_CODES,
    EPIDEMICS,
    FAMILY_NAMES,
    FUNDS,
    GIVEN_NAMES,
    MIDDLE_NAMES,
    MOVEMENTS,
    POSITIONS,
    PROJECT_FORMS,
    RELIC_FORMS,
    RESTRICTED_REASONS,
    RETENTION,
    SCHOOL_NAMESAKES,
    SECTORS,
    THEMES,
    TOPICS,
    Agency,
    Topic,
)
from schema.index import INDEX_BODY, alias_name, source_index_name
from schema.provinces import current_provinces, normalise_code, resolve_origin

DEFAULT_SEED = 20250701
BENCH_PREFIX = "bench-"
BENCH_SOURCE = "synthetic"  # the physical index is bench-records-synthetic-<generation>
FIRST_YEAR, LAST_YEAR = 1975, 2024
HARVESTED_AT = datetime(2025, 7, 15, 1, 0, tzinfo=timezone.utc)

ACCESS_WEIGHTS = {"public": 87, "restricted": 10, "closed": 3}  # most files
SENSITIVE_ACCESS_WEIGHTS = {"public": 45, "restricted": 40, "closed": 15}  # personnel, complaints, inspections
SHARE_OF_ITEMS_WITH_CONTENT = 0.20
SHARE_OF_OTHER_ITEMS_WITH_FILES = 0.15  # scans without a text layer
ITEMS_PER_FILE = (2, 14, 5)  # low, high, mode (triangular)


# ---------------------------------------------------------------------------------------------
# Geography: the 34 holding provinces and the former units whose fonds they hold.

@dataclass(frozen=True)
class OriginUnit:
    code: str  # one of the 63 former codes ("83")
    name: str  # "Tỉnh Bến Tre"
    short: str  # "Bến Tre"
    unit: str  # "tỉnh Bến Tre": after an agency name
    key: str  # "BTR": first part of reference codes
    current_code: str  # the one of the 34 it belongs to now
    districts: tuple[tuple[str, str], ...]  # ("huyện Châu Thành", "Châu Thành")


@dataclass(frozen=True)
class HoldingArchive:
    code: str
    name: str  # "Vĩnh Long", "Thành phố Huế" as vietnam-provinces spells it
    unit: str  # "tỉnh Vĩnh Long"
    source_id: str  # "vinhlong"
    archive: str  # "Trung tâm Lưu trữ lịch sử tỉnh Vĩnh Long"
    origins: tuple[OriginUnit, ...]  # its own former unit first


def fold(text: str) -> str:
    """Vietnamese without diacritics, as people type it: "Đồng Tháp" → "Dong Thap"."""
    decomposed = unicodedata.normalize("NFD", text.replace("Đ", "D").replace("đ", "d"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _short(name: str) -> str:
    for prefix in ("Thành phố ", "Tỉnh "):
        if name.startswith(prefix):
            return name[len(prefix):]
    return name


def _unit_key(short: str) -> str:
    words = [w for w in fold(short).replace("-", " ").upper().split() if w]
    if len(words) == 1:
        return words[0][:3]
    if len(words) == 2:
        return words[0][0] + words[1][:2]
    return "".join(w[0] for w in words[:3])


@lru_cache(maxsize=1)
def holding_archives() -> tuple[HoldingArchive, ...]:
    """The 34 archives, each with the former provinces now part of it and their districts."""
    from vietnamadminunits.database import query  # the 63 former provinces and their districts

    legacy = query("SELECT DISTINCT province, provinceCode, provinceShort, district "
                   "FROM admin_units_legacy ORDER BY provinceCode, district")
    by_code: dict[str, dict] = {}
    for row in legacy:
        code = normalise_code(row["provinceCode"])
        entry = by_code.setdefault(code, {"name": _nfc(row["province"]), "districts": []})
        if row["district"]:
            district = _nfc(row["district"])
            for kind in ("Thành phố ", "Thị xã ", "Huyện ", "Quận "):
                if district.startswith(kind):
                    entry["districts"].append((_lower_first(district), district[len(kind):]))
                    break
    current = current_provinces()
    origins_of: dict[str, list[OriginUnit]] = {code: [] for code in current}
    for code, entry in by_code.items():
        resolved = resolve_origin(entry["name"])
        current_code = resolved.current_code if resolved else code
        if current_code not in origins_of:
            continue
        short = _short(entry["name"])
        origins_of[current_code].append(OriginUnit(
            code, entry["name"], short, _lower_first(entry["name"]), _unit_key(short), current_code,
            tuple(entry["districts"])))
    archives = []
    for code, name in current.items():
        short = _short(name)
        unit = f"thành phố {short}" if name.startswith("Thành phố ") else f"tỉnh {short}"
        origins = sorted(origins_of[code], key=lambda o: (o.code != code, o.code))
        keys: set[str] = set()
        unique = []
        for origin in origins:  # keys must differ within one archive: they start local ids
            key = origin.key if origin.key not in keys else f"{origin.key}{origin.code}"
            keys.add(key)
            unique.append(OriginUnit(origin.code, origin.name, origin.short, origin.unit, key,
                                     origin.current_code, origin.districts))
        source_id = "".join(ch for ch in fold(short).lower() if ch.isalnum())
        archives.append(HoldingArchive(code, name, unit, source_id, f"Trung tâm Lưu trữ lịch sử {unit}",
                                       tuple(unique)))
    return tuple(archives)


# ---------------------------------------------------------------------------------------------
# Records.

def generate_records(total: int, seed: int = DEFAULT_SEED) -> Iterator[dict]:
    """Exactly `total` records in pre-order (every parent before its children)."""
    if total <= 0:
        return iter(())
    return itertools.islice(_RecordGenerator(total, seed).records(), total)


class _RecordGenerator:
    def __init__(self, total: int, seed: int):
        self.total = total
        self.rng = random.Random(seed)
        self.archives = holding_archives()
        # Fonds sizes vary a lot; their mean grows with the total so small runs still spread over
        # every province (at least ~4 fonds each) and a million records make ~500 fonds.
        self.mean_fonds_size = min(2500.0, max(40.0, total / (len(self.archives) * 4)))
        self.fonds_numbers = {a.code: itertools.count(1) for a in self.archives}
        self.serial = 0
        self.body_pool = self._body_pool()
        self.datestamps = [_datestamp(self.rng) for _ in range(4000)]
        self._stamp_cache: tuple[int, str] = (-1, "")

    # rng.randint and rng.choice cost several Python calls each; items draw a dozen numbers.
    def _int(self, low: int, high: int) -> int:
        return low + int(self.rng.random() * (high - low + 1))

    def _pick(self, options):
        return options[int(self.rng.random() * len(options))]

    # -- the pieces every level shares --------------------------------------------------------
    def _person(self) -> str:
        return f"{self._pick(FAMILY_NAMES)} {self._pick(MIDDLE_NAMES)} {self._pick(GIVEN_NAMES)}"

    def _harvested_at(self) -> str:
        # One timestamp per thousand records, as a harvest that runs through them would give.
        tick = self.serial // 1000
        if tick != self._stamp_cache[0]:
            self._stamp_cache = (tick, (HARVESTED_AT + timedelta(seconds=tick)).isoformat())
        return self._stamp_cache[1]

    def _body_pool(self) -> list[str]:
        """Body sentences with numbers and dates filled; {unit} and {district} stay for each record."""
        rng = self.rng
        pool = []
        for template in BODY_SENTENCES:
            for _ in range(30):
                pool.append(template.format(
                    unit="{unit}", district="{district}", year=rng.randint(FIRST_YEAR, LAST_YEAR),
                    sector=rng.choice(SECTORS), number=rng.randint(2, 950), day=rng.randint(1, 28),
                    month=rng.randint(1, 12)))
        return pool

    def records(self) -> Iterator[dict]:
        for fonds_index in itertools.count():
            if fonds_index < len(self.archives):  # every province holds something
                archive = self.archives[fonds_index]
            else:
                archive = self.rng.choices(self.archives, weights=[1 + len(a.origins) for a in self.archives])[0]
            yield from self._fonds(archive)

    # -- fonds ------------------------------------------------------------------------------
    def _fonds(self, archive: HoldingArchive) -> Iterator[dict]:
        rng = self.rng
        origin = rng.choices(archive.origins, weights=[3] + [1] * (len(archive.origins) - 1))[0]
        agency = rng.choices(AGENCIES, weights=[3 if a.key in ("UBND", "UBNDH") else 1 for a in AGENCIES])[0]
        district = None
        if agency.district_level:
            if not origin.districts:
                agency = AGENCIES[0]
            else:
                district = rng.choice(origin.districts)
        unit = district[0] if district else origin.unit
        creator = f"{agency.name} {unit}"
        start = rng.randint(max(FIRST_YEAR, agency.first_year), 2012)
        end = min(LAST_YEAR, start + rng.randint(8, 49))
        fonds_no = next(self.fonds_numbers[archive.code])
        local = f"{origin.key}.P{fonds_no:02d}"
        former = origin.code != archive.code
        sigma = 0.8
        size = max(8, int(rng.lognormvariate(math.log(self.mean_fonds_size) - sigma * sigma / 2, sigma)))
        heads = [self._person() for _ in range(1 + (end - start) // 8)]

        description = (f"{creator} là cơ quan hình thành phông, hoạt động từ năm {start}. Phông gồm tài liệu "
                       f"hành chính phản ánh hoạt động quản lý nhà nước của {creator} từ năm {start} đến năm "
                       f"{end}.")
        if former:
            description += (f" Từ ngày 01 tháng 7 năm 2025, {origin.unit} hợp nhất vào {archive.unit}; phông "
                            f"được giao nộp về {archive.archive} và giữ nguyên là một phông đóng.")
        description += f" Bảo quản tại {archive.archive}."
        fonds = self._base(archive, origin, local, "fonds", None, [])
        fonds.update({
            "reference_code": local,
            "title": f"Phông {creator} ({start}–{end})",
            "description": description,
            "creator": creator,
            **_span(start, 1, 1, end, 12, 28),
            "access": "public",
            "fonds_status": "closed" if former or end < LAST_YEAR else "open",
            "admin_history": (f"{creator} được thành lập năm {start} trên cơ sở tổ chức lại các cơ quan chuyên "
                              f"môn của {origin.unit}. Qua các thời kỳ, cơ quan nhiều lần được kiện toàn tổ "
                              f"chức bộ máy, chức năng, nhiệm vụ theo quy định của Chính phủ."),
            "subjects": ["Quản lý nhà nước", origin.short],
            "places": [district[1] if district else origin.short],
            "source_datestamp": _datestamp(rng),
        })
        yield fonds

        themes = list(dict.fromkeys(TOPICS[t].theme for t in agency.topics))
        periods = max(1, round(size / (len(themes) * 600)))
        span = end - start + 1
        budget = (size - 1) / (len(themes) * periods)
        fonds_ctx = _FondsContext(archive, origin, agency, district, creator, heads, local, fonds["id"])
        series_no = 0
        for period in range(periods):
            p_start = start + span * period // periods
            p_end = max(p_start, start + span * (period + 1) // periods - 1)
            for theme in themes:
                series_no += 1
                yield from self._series(fonds_ctx, series_no, theme, p_start, p_end, budget)

    # -- series -----------------------------------------------------------------------------
    def _series(self, ctx: _FondsContext, series_no: int, theme: str, start: int, end: int,
                budget: float) -> Iterator[dict]:
        rng = self.rng
        local = f"{ctx.fonds_local}/ML{series_no:02d}"
        series = self._base(ctx.archive, ctx.origin, local, "series", ctx.fonds_id, [ctx.fonds_id])
        theme_name = THEMES[theme]
        series.update({
            "reference_code": local.replace("/", "."),
            "title": f"Mục lục hồ sơ số {series_no:02d}: {theme_name} giai đoạn {start}–{end}",
            "description": (f"{theme_name} của {ctx.creator} giai đoạn {start}–{end}, hệ thống hóa theo vấn "
                            f"đề kết hợp thời gian."),
            "creator": ctx.creator,
            **_span(start, 1, 1, end, 12, 28),
            "access": "public",
            "subjects": [theme_name],
            "source_datestamp": _datestamp(rng),
        })
        yield series
        topics = [TOPICS[t] for t in ctx.agency.topics if TOPICS[t].theme == theme]
        expected_files = max(1, round(budget / (1 + sum(ITEMS_PER_FILE) / 3)))
        path = [ctx.fonds_id, series["id"]]
        used, file_no = 1.0, 0
        while used < budget:
            file_no += 1
            # Files are numbered in time order across the series' years.
            year = min(end, start + (end - start + 1) * (file_no - 1) // expected_files)
            documents = yield from self._file(ctx, series["id"], path, local, file_no, year, topics)
            used += 1 + documents

    # -- file and its items -----------------------------------------------------------------
    def _file(self, ctx: _FondsContext, series_id: str, path: list[str], series_local: str, file_no: int,
              year: int, topics: list[Topic]):
        rng = self.rng
        topic = self._pick(topics)
        if year < topic.min_year:
            topic = self._pick([t for t in topics if t.min_year <= year] or topics)
        slots = self._slots(ctx, year)
        local = f"{series_local}/HS{file_no:04d}"
        reference = local.replace("/", ".")
        access = _weighted(rng, SENSITIVE_ACCESS_WEIGHTS if topic.sensitive else ACCESS_WEIGHTS)
        m1 = self._int(1, 10)
        m2 = self._int(m1, 12)
        file_dates = _span(year, m1, self._int(1, 28), year, m2, 28)
        reliability = ("born-digital" if rng.random() < 0.7 else "mixed") if year >= 2015 else (
            "digitised" if rng.random() < 0.8 else "mixed")
        count = int(rng.triangular(*ITEMS_PER_FILE))
        steps = [topic.steps[i % len(topic.steps)] for i in range(count)]
        file_id = f"{ctx.archive.source_id}:{local}"
        item_path = path + [file_id]
        retention = self._pick(RETENTION)
        items = []
        months = sorted(self._int(m1, m2) for _ in range(count))
        for item_no, ((doc_type, rest), month) in enumerate(zip(steps, months), 1):
            items.append(self._item(ctx, file_id, item_path, local, reference, item_no, doc_type,
                                    rest.format(**slots), year, month, access, reliability, retention, topic,
                                    slots))
        sheets = sum(i["sheets"] for i in items)

        record = self._base(ctx.archive, ctx.origin, local, "file", series_id, path)
        record.update({
            "reference_code": reference,
            "title": topic.file_title.format(**slots),
            "description": (f"Hồ sơ gồm {count} văn bản, {sheets} tờ, về {_lower_first(topic.subjects[-1])}. "
                            f"Bảo quản tại {ctx.archive.archive}."),
            "creator": ctx.creator,
            **file_dates,
            "sheets": sheets,
            "retention": retention,
            **self._access_fields(access, year),
            "reliability": reliability,
            "subjects": list(topic.subjects),
            "places": [slots["district_short"], ctx.origin.short],
            "keywords": [topic.subjects[0].lower(), slots["district_short"]],
            "source_datestamp": _datestamp(rng),
        })
        if reliability != "born-digital":
            record["paper_original_code"] = f"{reference}-G"
        yield record
        yield from items
        return count

    def _item(self, ctx: _FondsContext, file_id: str, path: list[str], file_local: str, file_reference: str,
              item_no: int, doc_type: str, rest: str, year: int, month: int, file_access: str,
              reliability: str, retention: str, topic: Topic, slots: dict) -> dict:
        rng = self.rng
        day = self._int(1, 28)
        local = f"{file_local}/VB{item_no:02d}"
        code = DOC_TYPE_CODES.get(doc_type, "")
        number = self._int(1, 2400)
        agency_code = ctx.agency.doc_code
        doc_number = None if code is None else (
            f"{number}/{agency_code}-VP" if code == "" else f"{number}/{code}-{agency_code}")
        signer = self._pick(ctx.heads)
        sheets = self._int(1, 24)
        title = f"{doc_type} {rest}"
        numbered = f" số {doc_number}" if doc_number else ""
        access = file_access if rng.random() < 0.95 else _weighted(rng, ACCESS_WEIGHTS)
        record = self._base(ctx.archive, ctx.origin, local, "item", file_id, path)
        record.update({
            "reference_code": f"{file_reference}.{item_no:02d}",
            "title": title,
            "description": (f"{doc_type}{numbered} ngày {day:02d}/{month:02d}/{year} của {ctx.creator} {rest}. "
                            f"{self._pick(COPY_KINDS)} gồm {sheets} tờ. Bảo quản tại {ctx.archive.archive}."),
            "creator": ctx.creator,
            "signer": signer,
            "doc_type": doc_type,
            **_span(year, month, day, year, month, day),
            "sheets": sheets,
            "pages": sheets + self._int(0, sheets),
            "retention": retention,
            **self._access_fields(access, year),
            "reliability": reliability,
            "subjects": list(topic.subjects) + [ctx.origin.short],
            "places": [slots["district_short"]],
            "source_datestamp": self._pick(self.datestamps),
        })
        if doc_number:
            record["doc_number"] = doc_number
        has_content = rng.random() < SHARE_OF_ITEMS_WITH_CONTENT
        if has_content or rng.random() < SHARE_OF_OTHER_ITEMS_WITH_FILES:
            record["files"] = [self._file_entry(ctx, local, year, month, day, has_content, reliability, signer)]
        if has_content:
            record["content"] = self._content(ctx, doc_type, doc_number, rest, year, month, day, signer, slots)
        return record

    def _file_entry(self, ctx: _FondsContext, local: str, year: int, month: int, day: int, text: bool,
                    reliability: str, signer: str) -> dict:
        rng = self.rng
        name = local.replace("/", "_") + ".pdf"
        status = rng.choices(("valid", "none", "unknown", "invalid"), weights=(80, 12, 6, 2))[0]
        entry = {
            "name": name,
            "url": f"https://{ctx.archive.source_id}.luutru.gov.vn/files/{name}",
            "media_type": "application/pdf",
            "size": self._int(40_000, 8_000_000),
            "sha256": f"{rng.getrandbits(256):064x}",
            "text_extracted": text,
            "signature": {"status": status},
        }
        if not text:
            entry["extraction_error"] = "no text layer (scanned image)"
        if status != "none":
            signed_by = signer if reliability == "born-digital" else ctx.archive.archive
            signed_year = year if reliability == "born-digital" else self._int(max(year, 2016), LAST_YEAR)
            entry["signature"].update({"signer": signed_by,
                                       "signed_at": f"{signed_year}-{month:02d}-{day:02d}T08:00:00+07:00"})
        return entry

    def _content(self, ctx: _FondsContext, doc_type: str, doc_number: str | None, rest: str, year: int,
                 month: int, day: int, signer: str, slots: dict) -> str:
        rng = self.rng
        body = " ".join(rng.sample(self.body_pool, rng.randint(10, 24)))
        body = body.replace("{unit}", ctx.origin.unit).replace("{district}", slots["district"])
        place = slots["district_short"] if ctx.district else ctx.origin.short
        return "\n".join((
            f"{ctx.creator.upper()}",
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
            "Độc lập – Tự do – Hạnh phúc",
            f"Số: {doc_number}" if doc_number else "",
            f"{place}, ngày {day:02d} tháng {month:02d} năm {year}",
            doc_type.upper(),
            rest,
            body,
            "Nơi nhận: Như trên; Lưu: VT.",
            f"{ctx.agency.head_title.upper()}",
            signer,
        ))

    def _slots(self, ctx: _FondsContext, year: int) -> dict:
        if ctx.district:
            district, district_short = ctx.district
        elif ctx.origin.districts:
            district, district_short = self._pick(ctx.origin.districts)
        else:
            district, district_short = ctx.origin.unit, ctx.origin.short
        place_name = self._pick(ctx.origin.districts)[1] if ctx.origin.districts else ctx.origin.short
        term_start, term = max((t for t in COUNCIL_TERMS if t[0] <= year), default=COUNCIL_TERMS[0])
        return {
            "unit": ctx.district[0] if ctx.district else ctx.origin.unit,
            "district": district,
            "district_short": district_short,
            "dept": f"{self._pick(DEPARTMENTS)} {ctx.origin.unit}",
            "person": self._person(),
            "position": self._pick(POSITIONS),
            "project": self._pick(PROJECT_FORMS).format(name=place_name, number=self._int(1, 80)),
            "sector": self._pick(SECTORS),
            "disaster": self._pick(DISASTERS),
            "school": self._pick(SCHOOL_NAMESAKES),
            "movement": self._pick(MOVEMENTS),
            "epidemic": self._pick(EPIDEMICS),
            "relic": self._pick(RELIC_FORMS).format(name=place_name),
            "fund": self._pick(FUNDS),
            "year": year,
            "next_year": year + 1,
            "period": f"{year}–{year + 5}",
            "session": self._int(1, 12),
            "term": term if term_start <= year else COUNCIL_TERMS[0][1],
        }

    def _access_fields(self, access: str, year: int) -> dict:
        rng = self.rng
        if access == "public":
            return {"access": "public"}
        fields = {"access": access,
                  "access_reason": rng.choice(RESTRICTED_REASONS if access == "restricted" else CLOSED_REASONS)}
        # Restricted and secret records open after a term; old ones may already be open by date.
        if rng.random() < (0.3 if access == "restricted" else 0.6):
            fields["open_after"] = f"{year + rng.choice((10, 20, 30, 40, 60, 75))}-01-01"
        return fields

    def _base(self, archive: HoldingArchive, origin: OriginUnit, local: str, level: str, parent_id: str | None,
              path: list[str]) -> dict:
        self.serial += 1
        record = {
            "id": f"{archive.source_id}:{local}",
            "source_id": archive.source_id,
            "local_id": local,
            "holding_province": archive.code,
            "holding_province_name": archive.name,
            "origin_province": origin.code,
            "origin_province_name": origin.name,
            "origin_province_current": origin.current_code,
            "level": level,
            "path": list(path),
            "language": "vi",
            "source_url": f"https://{archive.source_id}.luutru.gov.vn/records/{local}",
            "harvested_at": self._harvested_at(),
            "deleted": False,
        }
        if parent_id:
            record["parent_id"] = parent_id
        return record


@dataclass(frozen=True)
class _FondsContext:
    archive: HoldingArchive
    origin: OriginUnit
    agency: Agency
    district: tuple[str, str] | None
    creator: str
    heads: list[str]
    fonds_local: str
    fonds_id: str


def _span(y1: int, m1: int, d1: int, y2: int, m2: int, d2: int) -> dict:
    return {"date_start": f"{y1:04d}-{m1:02d}-{d1:02d}", "date_end": f"{y2:04d}-{m2:02d}-{d2:02d}",
            "year_start": y1, "year_end": y2}


def _datestamp(rng: random.Random) -> str:
    return f"2025-0{rng.randint(1, 6)}-{rng.randint(1, 28):02d}T{rng.randint(0, 23):02d}:00:00Z"


def _weighted(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(tuple(weights), weights=tuple(weights.values()))[0]


# ---------------------------------------------------------------------------------------------
# Loading.

@dataclass
class LoadReport:
    index: str
    alias: str
    docs: int
    failed: int
    seconds: float
    docs_per_second: float
    store_bytes: int
    docs_count: int
    segments: int
    errors: list[str]


def bench_index_names(prefix: str = BENCH_PREFIX) -> tuple[str, str]:
    """(alias, wildcard of the physical indices) for a prefix, which must start with `bench-`."""
    if not prefix.startswith(BENCH_PREFIX):
        raise ValueError(f"the benchmark only touches indices whose names start with {BENCH_PREFIX!r}")
    return alias_name(prefix), source_index_name(prefix, BENCH_SOURCE, "*")


def drop_bench_indices(client, prefix: str = BENCH_PREFIX) -> list[str]:
    """Delete the benchmark's own indices (bench-records-synthetic-*), nothing else."""
    _, pattern = bench_index_names(prefix)
    found = client.indices.get(index=pattern, ignore_unavailable=True, allow_no_indices=True)
    names = sorted(name for name in found if name.startswith(BENCH_PREFIX))
    for name in names:
        client.indices.delete(index=name)
    return names


def index_stats(client, index: str) -> tuple[int, int, int]:
    """(store size in bytes, docs count, segment count) of an index."""
    row = client.cat.indices(index=index, params={"bytes": "b", "format": "json", "h": "store.size,docs.count"})[0]
    stats = client.indices.stats(index=index, metric="segments")
    segments = stats["_all"]["primaries"]["segments"]["count"]
    return int(row["store.size"]), int(row["docs.count"]), int(segments)


def load_index(client, total: int, seed: int = DEFAULT_SEED, prefix: str = BENCH_PREFIX, chunk_size: int = 500,
               threads: int = 2, progress=None) -> LoadReport:
    """Create a fresh bench index behind the bench alias and fill it with `total` records."""
    return IndexLoader(client, total, seed, prefix, chunk_size, threads, progress).load_up_to(total)


class IndexLoader:
    """A fresh bench index filled in steps: the first `n` records of one catalogue of `final_total`, then
    more of the same catalogue (`--sizes 200000,1000000`: the catalogue grows, what was there stays)."""

    def __init__(self, client, final_total: int, seed: int = DEFAULT_SEED, prefix: str = BENCH_PREFIX,
                 chunk_size: int = 500, threads: int = 2, progress=None):
        self.client = client
        self.final_total = final_total
        self.chunk_size = chunk_size
        self.threads = threads
        self.progress = progress
        self.alias, _ = bench_index_names(prefix)
        dropped = drop_bench_indices(client, prefix)
        if dropped and progress:
            progress(f"removed earlier benchmark indices: {', '.join(dropped)}")
        generation = datetime.now(timezone.utc).strftime("%Y%m%d%H%M%S")
        self.index = source_index_name(prefix, BENCH_SOURCE, generation)
        client.indices.create(index=self.index, body={**INDEX_BODY, "aliases": {self.alias: {}}})
        self.records = generate_records(final_total, seed)
        self.loaded = 0

    def load_up_to(self, total: int) -> LoadReport:
        """Add records until the index holds `total` (at most the catalogue's final total)."""
        from opensearchpy import helpers

        client, index = self.client, self.index
        wanted = min(total, self.final_total) - self.loaded
        restored_interval = INDEX_BODY["settings"].get("refresh_interval")  # None: the default
        client.indices.put_settings(index=index, body={"index": {"refresh_interval": "-1"}})
        actions = ({"_op_type": "index", "_index": index, "_id": doc["id"], "_source": doc}
                   for doc in itertools.islice(self.records, max(0, wanted)))
        done = failed = 0
        errors: list[str] = []
        started = time.perf_counter()
        step = max(1, wanted // 10)
        try:
            for ok, info in helpers.parallel_bulk(client, actions, thread_count=self.threads,
                                                  chunk_size=self.chunk_size, queue_size=self.threads,
                                                  raise_on_error=False, raise_on_exception=True,
                                                  request_timeout=120):
                done += 1
                if not ok:
                    failed += 1
                    if len(errors) < 5:
                        errors.append(str(info)[:500])
                if self.progress and done % step == 0:
                    elapsed = time.perf_counter() - started
                    self.progress(f"  {self.loaded + done:>9,} / {total:,} records  {done / elapsed:,.0f} docs/s")
        finally:
            client.indices.put_settings(index=index, body={"index": {"refresh_interval": restored_interval}})
        self.loaded += done
        seconds = time.perf_counter() - started
        client.indices.refresh(index=index)
        client.indices.flush(index=index)
        store_bytes, docs_count, segments = index_stats(client, index)
        return LoadReport(index, self.alias, done, failed, seconds, done / seconds if seconds else 0.0,
                          store_bytes, docs_count, segments, errors)


def human_bytes(size: int) -> str:
    value = float(size)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{value:,.1f} {unit}" if unit != "B" else f"{int(value)} B"
        value /= 1024
    return f"{size} B"


def print_load_report(report: LoadReport, out=sys.stdout) -> None:
    print(f"index {report.index} (alias {report.alias})", file=out)
    print(f"loaded {report.docs:,} records in {report.seconds:,.1f} s: {report.docs_per_second:,.0f} docs/s"
          f"{f', {report.failed:,} FAILED' if report.failed else ''}", file=out)
    print(f"index size: {report.store_bytes:,} bytes ({human_bytes(report.store_bytes)}), "
          f"{report.docs_count:,} docs, {report.segments} segments", file=out)
    for error in report.errors:
        print(f"  error: {error}", file=out)


def main(argv: list[str] | None = None) -> int:
    from portal.opensearch import build_client

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--opensearch-url", default="http://127.0.0.1:9200")
    args = parser.parse_args(argv)
    client = build_client(args.opensearch_url, timeout=120)
    report = load_index(client, args.records, args.seed, progress=lambda m: print(m, file=sys.stderr))
    print_load_report(report)
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(main())
