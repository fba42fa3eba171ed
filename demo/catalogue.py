"""Generates the demo catalogue: three provincial archives of believable Vietnamese records, the same every time.

Everything is drawn from one seeded `random.Random` in a fixed order and no wall clock is read, so two builds
are equal and a test can name a record by its local id. Each archive holds fonds > series > files > items; items
carry the PDF and DOCX files, a few records are deleted, and one public item has a script tag in its title.
A fonds also has its administrative history, extent and open/closed status, written from the vocabulary without
drawing from the rng (so adding them changed no other record).
"""

from __future__ import annotations

import itertools
import random
import zlib
from datetime import date, datetime, timedelta, timezone

from demo.documents import Letterhead, appendix_text, document_text
from demo.models import (
    DOCX_MEDIA_TYPE,
    LEVELS,
    PDF_MEDIA_TYPE,
    TIFF_MEDIA_TYPE,
    Archive,
    DemoFile,
    DemoRecord,
)
from demo.vocabulary import (
    AGENCIES,
    ARCHIVES,
    DOC_TYPE_CODES,
    FAMILY_NAMES,
    FEMALE_GIVEN_NAMES,
    FEMALE_MIDDLE_NAMES,
    MALE_GIVEN_NAMES,
    MALE_MIDDLE_NAMES,
    MOVEMENTS,
    ORIGIN_UNITS,
    SCHOOL_NAMESAKES,
    SCRIPT_TITLE,
    SECTORS,
    TOPICS,
    Agency,
    ArchiveSpec,
    OriginUnit,
    Topic,
)

SEED = 20250701
FIRST_DATESTAMP = datetime(2024, 1, 1, tzinfo=timezone.utc)
LAST_DATESTAMP = datetime(2025, 6, 30, 23, 59, 59, tzinfo=timezone.utc)
DATESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%SZ"

FILES_PER_SERIES = (3, 4)
ITEMS_PER_FILE = (3, 4)
SHARE_OF_ITEMS_WITH_FILES = 0.2
SHARE_OF_FILES_WITH_APPENDIX = 0.15
# About one public item with files in SCANNED_ONE_IN is digitised: its document a scan without a text layer,
# chosen by a checksum of its reference code (not the shared rng: the rest of the catalogue stays as it was).
SCANNED_ONE_IN = 20
SCAN_KINDS = (("pdf", "clean"), ("pdf", "light"), ("pdf", "heavy"), ("tif", "clean"), ("tif", "light"),
              ("tif", "heavy"))
SHARE_OF_ITEMS_DELETED = 0.028  # besides one whole deleted file per archive: about 3% of records in all
SENSITIVE_TOPICS = frozenset({"appointment", "land"})  # personnel and land files are more often restricted
COUNCIL_TERM_STARTS = (1977, 1981, 1985, 1989, 1994, 1999, 2004, 2011, 2016, 2021)
RETENTION_PERIODS = ("Vĩnh viễn", "Vĩnh viễn", "Vĩnh viễn", "70 năm", "50 năm", "20 năm")
# About ten boxes (hộp) a metre of shelving and four hồ sơ a box.
FILES_PER_SHELF_METRE = 40


def build_archives(seed: int = SEED) -> dict[str, Archive]:
    """The three demo archives keyed by slug ("vinhlong", "hue", "cantho"), records in pre-order."""
    rng = random.Random(seed)
    serials = itertools.count(1)
    archives = {}
    for spec in ARCHIVES:
        records = _ArchiveBuilder(spec, rng, serials).build()
        archives[spec.slug] = Archive(spec.slug, spec.name, spec.province_code, spec.repository_domain, records)
    return archives


class _ArchiveBuilder:
    """Builds the records of one archive; shares the rng and serial counter with the other archives' builders."""

    def __init__(self, spec: ArchiveSpec, rng: random.Random, serials: itertools.count):
        self.spec = spec
        self.rng = rng
        self.serials = serials
        self.records: list[DemoRecord] = []
        # The script-title fixture goes into the first public file of the Vĩnh Long provincial committee.
        self.script_fixture_pending = spec.slug == "vinhlong"
        self.script_fixture_ids: set[str] = set()

    def build(self) -> list[DemoRecord]:
        for origin_key in self.spec.origins:
            origin = ORIGIN_UNITS[origin_key]
            for index, agency_key in enumerate(origin.agencies):
                self._add_fonds(origin, AGENCIES[agency_key], f"P{origin.fonds_code_base + index:02d}")
        self._mark_deleted()
        self._assign_datestamps()
        return self.records

    # --- the four levels ---

    def _add_fonds(self, origin: OriginUnit, agency: Agency, fonds_code: str) -> None:
        creator = f"{agency.name} {origin.unit_name}"
        first_year = max(origin.first_year, agency.first_year)
        fonds = self._new_record(
            local_id=f"{origin.key}.{agency.key}", level="fonds", ancestors=[],
            reference_code=f"{origin.reference_prefix}.{fonds_code}",
            title=f"Phông {creator} ({first_year}–{origin.fonds_end_year})",
            creator=creator, origin=origin, access="public",
            subjects=["Quản lý nhà nước", origin.place], set_spec=fonds_code,
        )
        series_count = 2 if origin.last_year - first_year < 20 else 3
        series_and_sizes = [
            self._add_series(fonds, origin, agency, number, period_start, period_end)
            for number, (period_start, period_end) in enumerate(
                _split_years(first_year, origin.last_year, series_count), start=1)
        ]
        series_list = [series for series, _ in series_and_sizes]
        fonds.date_start = min(series.date_start for series in series_list)
        fonds.date_end = max(series.date_end for series in series_list)
        closed_on = _fonds_closed_on(origin, agency)
        fonds.fonds_status = "closed" if closed_on else "open"
        fonds.admin_history = _admin_history(origin, agency, creator, first_year, closed_on, self.spec.name)
        fonds.extent = _extent(sum(size for _, size in series_and_sizes))
        if origin.succession:
            custody = origin.succession
        elif closed_on:
            custody = "Phông đã đóng, không tiếp tục được bổ sung tài liệu."
        else:
            custody = "Phông đang tiếp tục được bổ sung tài liệu."
        fonds.description = (
            f"{creator} là cơ quan hình thành phông, hoạt động từ năm {first_year}. Phông gồm tài liệu hành chính "
            f"phản ánh hoạt động quản lý nhà nước của {creator} từ năm {fonds.date_start[:4]} đến năm "
            f"{fonds.date_end[:4]}. {custody} Bảo quản tại {self.spec.name}."
        )

    def _add_series(self, fonds: DemoRecord, origin: OriginUnit, agency: Agency, number: int,
                    first_year: int, last_year: int) -> tuple[DemoRecord, int]:
        """The series, and how many hồ sơ its mục lục lists (published or not: the last hồ sơ number)."""
        code = f"ML{number:02d}"
        series = self._new_record(
            local_id=f"{fonds.local_id}/{code}", level="series", ancestors=[fonds.local_id],
            reference_code=f"{fonds.reference_code}.{code}",
            title=f"Mục lục hồ sơ số {number:02d} – {fonds.creator} giai đoạn {first_year}–{last_year}",
            creator=fonds.creator, origin=origin, access="public", subjects=list(fonds.subjects),
            set_spec=fonds.set_spec,
        )
        series.description = (
            f"Mục lục thống kê hồ sơ, tài liệu hình thành trong quá trình hoạt động của {fonds.creator} từ năm "
            f"{first_year} đến năm {last_year}, đã được chỉnh lý hoàn chỉnh. Bảo quản tại {self.spec.name}."
        )
        # Who signs in this period: one head and two deputies.
        signers = [(self._person_name()[0], is_deputy) for is_deputy in (False, True, True)]
        topics = agency.topics + (origin.extra_topics if agency.key == "UBND" else ())
        file_number = 0
        files = []
        for topic, year in self._plan_files(topics, first_year, last_year):
            file_number += self.rng.randint(1, 4)  # gaps: not every hồ sơ of the mục lục is published
            files.append(self._add_file(series, origin, agency, f"HS{file_number:03d}", topic, year, signers))
        series.date_start = min(file_record.date_start for file_record in files)
        series.date_end = max(file_record.date_end for file_record in files)
        return series, file_number

    def _plan_files(self, topic_keys: tuple[str, ...], first_year: int, last_year: int) -> list[tuple[Topic, int]]:
        """The (topic, year) of each hồ sơ of a series, in year order, no two alike."""
        usable = [TOPICS[key] for key in topic_keys if TOPICS[key].min_year <= last_year]
        planned: list[tuple[Topic, int]] = []
        wanted = self.rng.randint(*FILES_PER_SERIES)
        while len(planned) < wanted:
            topic = self.rng.choice(usable)
            year = self.rng.randint(max(first_year, topic.min_year), last_year)
            if all((topic.key, year) != (other.key, other_year) for other, other_year in planned):
                planned.append((topic, year))
        return sorted(planned, key=lambda plan: plan[1])

    def _add_file(self, series: DemoRecord, origin: OriginUnit, agency: Agency, code: str, topic: Topic,
                  year: int, signers: list[tuple[str, bool]]) -> DemoRecord:
        slots = self._title_slots(origin, year)
        file_record = self._new_record(
            local_id=f"{series.local_id}/{code}", level="file", ancestors=[*series.ancestors, series.local_id],
            reference_code=f"{series.reference_code}.{code}", title=topic.file_title.format(**slots),
            creator=series.creator, origin=origin, access=self._file_access(topic),
            subjects=[*topic.subjects, origin.place], set_spec=series.set_spec,
        )
        item_count = self.rng.randint(ITEMS_PER_FILE[0], min(ITEMS_PER_FILE[1], len(topic.steps)))
        # Documents follow the procedure's order, and their dates follow it too.
        step_indexes = sorted(self.rng.sample(range(len(topic.steps)), item_count))
        days = _sample_days(self.rng, year, item_count)
        items = []
        for number, (step_index, day) in enumerate(zip(step_indexes, days), start=1):
            doc_type, subject_template = topic.steps[step_index]
            items.append(self._add_item(file_record, origin, agency, number, doc_type,
                                        subject_template.format(**slots), day, slots, signers))
        if self.script_fixture_pending and agency.key == "UBND" and file_record.access == "public":
            items.append(self._add_script_fixture(file_record, origin, agency, len(items) + 1, days[-1], slots,
                                                  signers))
        file_record.date_start = min(item.date_start for item in items)
        file_record.date_end = max(item.date_end for item in items)
        doc_types = ", ".join(sorted({item.doc_type.lower() for item in items}))
        file_record.description = (
            f"Hồ sơ gồm {len(items)} văn bản ({doc_types}) của {file_record.creator}, thời gian từ ngày "
            f"{_vietnamese_date(file_record.date_start)} đến ngày {_vietnamese_date(file_record.date_end)}. "
            f"Thời hạn bảo quản: {self.rng.choice(RETENTION_PERIODS)}. Bảo quản tại {self.spec.name}."
        )
        return file_record

    def _add_item(self, file_record: DemoRecord, origin: OriginUnit, agency: Agency, number: int,
                  planned_doc_type: str, subject: str, day: date, slots: dict, signers: list[tuple[str, bool]]
                  ) -> DemoRecord:
        doc_type = _doc_type_for(agency, planned_doc_type)
        signer, signer_is_deputy = self.rng.choice(signers)
        doc_number = f"{self._doc_serial(day)}/{DOC_TYPE_CODES[doc_type]}-{agency.doc_code}"
        item = self._new_record(
            local_id=f"{file_record.local_id}/VB{number:02d}", level="item",
            ancestors=[*file_record.ancestors, file_record.local_id],
            reference_code=f"{file_record.reference_code}.{number:02d}", title=f"{doc_type} {subject}",
            creator=file_record.creator, origin=origin, access=self._item_access(file_record.access),
            subjects=list(file_record.subjects), set_spec=file_record.set_spec,
            signer=signer, doc_number=doc_number, doc_type=doc_type, date_start=day.isoformat(),
            date_end=day.isoformat(),
        )
        item.description = (
            f"{doc_type} số {doc_number} ngày {_vietnamese_date(item.date_start)} của {item.creator} {subject}. "
            f"{self.rng.choice(('Bản chính', 'Bản chính', 'Bản sao y'))} gồm {self.rng.randint(1, 24)} tờ. "
            f"Bảo quản tại {self.spec.name}."
        )
        if self.rng.random() < SHARE_OF_ITEMS_WITH_FILES:
            item.files = self._files_for(item, self._letterhead(origin, agency, signer_is_deputy, slots),
                                         main_is_pdf=self.rng.random() < 0.5)
        return item

    def _add_script_fixture(self, file_record: DemoRecord, origin: OriginUnit, agency: Agency, number: int,
                            day: date, slots: dict, signers: list[tuple[str, bool]]) -> DemoRecord:
        """A public item whose title is a script tag: every page and API must show it as text."""
        self.script_fixture_pending = False
        signer, signer_is_deputy = signers[0]
        doc_number = f"{self._doc_serial(day)}/{DOC_TYPE_CODES['Công văn']}-{agency.doc_code}"
        item = self._new_record(
            local_id=f"{file_record.local_id}/VB{number:02d}", level="item",
            ancestors=[*file_record.ancestors, file_record.local_id],
            reference_code=f"{file_record.reference_code}.{number:02d}", title=SCRIPT_TITLE,
            creator=file_record.creator, origin=origin, access="public", subjects=list(file_record.subjects),
            set_spec=file_record.set_spec, signer=signer, doc_number=doc_number, doc_type="Công văn",
            date_start=day.isoformat(), date_end=day.isoformat(),
        )
        item.description = (
            "Văn bản kiểm thử: tiêu đề chứa mã HTML phải luôn được hiển thị nguyên văn, không được thực thi. "
            f"Bảo quản tại {self.spec.name}."
        )
        item.files = self._files_for(item, self._letterhead(origin, agency, signer_is_deputy, slots),
                                     main_is_pdf=True, may_be_scanned=False)
        self.script_fixture_ids = {file_record.local_id, item.local_id}
        return item

    # --- parts of a record ---

    def _new_record(self, *, local_id: str, level: str, ancestors: list[str], reference_code: str, title: str,
                    creator: str, origin: OriginUnit, access: str, subjects: list[str], set_spec: str,
                    signer: str | None = None, doc_number: str | None = None, doc_type: str | None = None,
                    date_start: str = "", date_end: str = "") -> DemoRecord:
        # Dates of the upper levels, descriptions and datestamps are filled in once their children exist.
        record = DemoRecord(
            serial=next(self.serials), local_id=local_id, level=level, ancestors=ancestors,
            reference_code=reference_code, title=title, description="", creator=creator, signer=signer,
            doc_number=doc_number, doc_type=doc_type, date_start=date_start, date_end=date_end,
            origin_province_name=origin.province_name, access=access, subjects=subjects, language="vi",
            files=[], deleted=False, datestamp="", set_spec=set_spec,
        )
        self.records.append(record)
        return record

    def _files_for(self, item: DemoRecord, letterhead: Letterhead, main_is_pdf: bool,
                   may_be_scanned: bool = True) -> list[DemoFile]:
        main_type, other_type = (("pdf", "docx") if main_is_pdf else ("docx", "pdf"))
        files = [DemoFile(f"{item.reference_code}.{main_type}", _media_type(main_type),
                          document_text(item, letterhead, self.rng))]
        if may_be_scanned and item.access == "public":
            files[0] = _scanned(files[0], item.reference_code)
        if self.rng.random() < SHARE_OF_FILES_WITH_APPENDIX:
            files.append(DemoFile(f"{item.reference_code}-phu-luc.{other_type}", _media_type(other_type),
                                  appendix_text(item, letterhead, self.rng)))
        return files

    def _letterhead(self, origin: OriginUnit, agency: Agency, signer_is_deputy: bool, slots: dict) -> Letterhead:
        return Letterhead(
            agency_name=f"{agency.name} {origin.unit_name}", agency_key=agency.key, unit_name=origin.unit_name,
            place=origin.place, head_title=agency.head_title, signer_is_deputy=signer_is_deputy,
            district=slots["district"], department=slots["dept"],
        )

    def _title_slots(self, origin: OriginUnit, year: int) -> dict:
        person, honorific = self._person_name()
        department = self.rng.choice(origin.departments)
        return {
            "unit": origin.unit_name,
            "place": origin.place,
            "district": self.rng.choice(origin.districts),
            "school": self.rng.choice(SCHOOL_NAMESAKES),
            "project": self.rng.choice(origin.projects),
            "sector": self.rng.choice(SECTORS),
            "disaster": self.rng.choice(origin.disasters),
            "dept": f"{department} {origin.unit_name}",
            "deputy": "Phó Giám đốc" if department.startswith("Sở") else "Phó Trưởng phòng",
            "honorific": honorific,
            "person": person,
            "monument": self.rng.choice(origin.monuments) if origin.monuments else "",
            "movement": self.rng.choice(MOVEMENTS),
            "year": year,
            "next_year": year + 1,
            "period": f"{year + 1}–{year + 10}",
            "session": self.rng.randint(2, 12),
            "term": _council_term(origin.first_year, year),
        }

    def _person_name(self) -> tuple[str, str]:
        """A full name and the honorific that goes before it ("ông" / "bà")."""
        family = self.rng.choice(FAMILY_NAMES)
        if self.rng.random() < 0.3:
            return f"{family} {self.rng.choice(FEMALE_MIDDLE_NAMES)} {self.rng.choice(FEMALE_GIVEN_NAMES)}", "bà"
        return f"{family} {self.rng.choice(MALE_MIDDLE_NAMES)} {self.rng.choice(MALE_GIVEN_NAMES)}", "ông"

    def _doc_serial(self, day: date) -> int:
        # Numbers grow through the year, as an agency's register (sổ đăng ký văn bản đi) does.
        return day.timetuple().tm_yday * self.rng.randint(2, 6) // 4 + self.rng.randint(1, 9)

    def _file_access(self, topic: Topic) -> str:
        closed_share, restricted_share = (0.08, 0.30) if topic.key in SENSITIVE_TOPICS else (0.03, 0.13)
        roll = self.rng.random()
        if roll < closed_share:
            return "closed"
        return "restricted" if roll < closed_share + restricted_share else "public"

    def _item_access(self, file_access: str) -> str:
        """An item is never looser than its file; a few items of open files are restricted on their own."""
        roll = self.rng.random()
        if file_access == "closed":
            return "closed"
        if file_access == "restricted":
            return "closed" if roll < 0.05 else "restricted"
        if roll < 0.005:
            return "closed"
        return "restricted" if roll < 0.035 else "public"

    # --- archive-wide passes ---

    def _mark_deleted(self) -> None:
        """One whole file (with its items) and about 2% of the other items were withdrawn by the archive."""
        files = [record for record in self.records
                 if record.level == "file" and record.local_id not in self.script_fixture_ids]
        withdrawn_file = self.rng.choice(files)
        withdrawn_file.deleted = True
        for record in self.records:
            if record.level != "item" or record.local_id in self.script_fixture_ids:
                continue
            if record.parent_id == withdrawn_file.local_id or self.rng.random() < SHARE_OF_ITEMS_DELETED:
                record.deleted = True

    def _assign_datestamps(self) -> None:
        """Spread distinct datestamps over the catalogue's life, parents catalogued before their children."""
        span_seconds = int((LAST_DATESTAMP - FIRST_DATESTAMP).total_seconds()) + 1
        offsets = sorted(self.rng.sample(range(span_seconds), len(self.records)))
        in_cataloguing_order: list[DemoRecord] = []
        for level in LEVELS:
            same_level = [record for record in self.records if record.level == level]
            self.rng.shuffle(same_level)
            in_cataloguing_order += same_level
        for record, offset in zip(in_cataloguing_order, offsets):
            record.datestamp = (FIRST_DATESTAMP + timedelta(seconds=offset)).strftime(DATESTAMP_FORMAT)


def _fonds_closed_on(origin: OriginUnit, agency: Agency) -> str | None:
    """The ISO date the fonds closed: the first of its agency's dissolution and its unit's end; None while open."""
    endings = [ending.change_on for ending in (origin, agency) if ending.ended]
    return min(endings) if endings else None


def _admin_history(origin: OriginUnit, agency: Agency, creator: str, first_year: int, closed_on: str | None,
                   archive_name: str) -> str:
    """Lịch sử đơn vị hình thành phông: the unit, the agency's role and formation, its changes, the fonds' state."""
    slots = {"agency": creator, "unit": origin.unit_name, "year": first_year}
    role = agency.role.format(**slots)
    if agency.formation and agency.first_year > origin.first_year:
        sentences = [origin.founding, f"{creator} là {role}.", agency.formation.format(**slots)]
    else:  # the agency is as old as its unit
        sentences = [origin.founding, f"{creator} là {role}, được tổ chức và hoạt động từ năm {first_year}."]
    changes = [(origin.change_on, origin.change)] if origin.change_on else []
    # An agency's own reorganisation counts only while its unit still existed.
    if agency.change_on and not (origin.ended and origin.change_on <= agency.change_on):
        changes.append((agency.change_on, agency.change.format(**slots)))
    sentences += [f"Từ ngày {_vietnamese_long_date(day)}, {change}." for day, change in sorted(changes)]
    if closed_on:
        sentences.append(f"Phông đóng từ ngày {_vietnamese_long_date(closed_on)}, bảo quản tại {archive_name}.")
    else:
        sentences.append(f"Phông mở: cơ quan đang hoạt động, tài liệu tiếp tục được giao nộp vào {archive_name}.")
    return " ".join(sentences)


def _extent(file_count: int) -> str:
    """Khối lượng: shelf metres (one decimal, Vietnamese decimal comma) and hồ sơ, e.g. "0,7 mét giá; 28 hồ sơ"."""
    metres = max(file_count / FILES_PER_SHELF_METRE, 0.1)
    return f"{metres:.1f}".replace(".", ",") + f" mét giá; {file_count} hồ sơ"


def _doc_type_for(agency: Agency, planned_doc_type: str) -> str:
    """The doc type an agency of this kind actually issues in place of the planned one."""
    if agency.key == "HDND" and planned_doc_type == "Quyết định":
        return "Nghị quyết"  # a council decides by resolution
    if agency.key != "HDND" and planned_doc_type == "Nghị quyết":
        return "Quyết định"
    if agency.key != "UBND" and planned_doc_type == "Chỉ thị":
        return "Công văn"  # only the people's committee issues directives
    return planned_doc_type


def _split_years(first_year: int, last_year: int, parts: int) -> list[tuple[int, int]]:
    """Consecutive periods covering first_year..last_year, as even as whole years allow."""
    total = last_year - first_year + 1
    bounds = [first_year + round(total * index / parts) for index in range(parts + 1)]
    return [(bounds[index], bounds[index + 1] - 1) for index in range(parts)]


def _sample_days(rng: random.Random, year: int, count: int) -> list[date]:
    first_day = date(year, 1, 1)
    days_in_year = (date(year, 12, 31) - first_day).days + 1
    return [first_day + timedelta(days=offset) for offset in sorted(rng.sample(range(days_in_year), count))]


def _council_term(origin_first_year: int, year: int) -> str:
    """The term (khóa) of a people's council in a year, counted from the unit's first term."""
    first_term_start = max((start for start in COUNCIL_TERM_STARTS if start <= origin_first_year),
                           default=COUNCIL_TERM_STARTS[0])
    number = sum(1 for start in COUNCIL_TERM_STARTS if first_term_start <= start <= year)
    return _roman(max(number, 1))


def _roman(number: int) -> str:
    numerals = ((10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))
    digits = []
    for value, numeral in numerals:
        while number >= value:
            digits.append(numeral)
            number -= value
    return "".join(digits)


def _vietnamese_date(iso_date: str) -> str:
    year, month, day = iso_date.split("-")
    return f"{day}/{month}/{year}"


def _vietnamese_long_date(iso_date: str) -> str:
    """"01 tháng 7 năm 2025": as administrative documents write it, a 0 before days below 10 and months below 3."""
    year, month, day = (int(part) for part in iso_date.split("-"))
    month_text = f"{month:02d}" if month < 3 else str(month)
    return f"{day:02d} tháng {month_text} năm {year}"


def _media_type(extension: str) -> str:
    return {"pdf": PDF_MEDIA_TYPE, "tif": TIFF_MEDIA_TYPE}.get(extension, DOCX_MEDIA_TYPE)


def _scanned(document: DemoFile, reference_code: str) -> DemoFile:
    """The document as a scan (an image-only PDF or a TIFF, at one of the noise levels), for one item in
    SCANNED_ONE_IN; the document itself for the others."""
    digest = zlib.crc32(reference_code.encode())
    if digest % SCANNED_ONE_IN:
        return document
    extension, noise = SCAN_KINDS[digest // SCANNED_ONE_IN % len(SCAN_KINDS)]
    return DemoFile(f"{reference_code}.{extension}", _media_type(extension), document.content_text, scan=noise)
