"""The relevance judgments: queries over the demo archives and the records a reader wants for them.

Each judgment is derived from `demo.catalogue.build_archives()` by a rule over the records' own
description, so it stays true when the demo data is regenerated; a rule that finds nothing drops
its query. Only records an anonymous reader may find are judged: not closed, not deleted.

Grades, as a reading-room archivist would give them from the records' metadata:
  3  the record asked for: the one with that reference code or document number, the fonds named,
     or the hồ sơ (file) that documents the matter asked about;
  2  a document (item) of that matter, or a series (mục lục) of the province asked about;
  1  related: the same matter from another agency, or any other record of the province.

Most accented queries have an unaccented twin, typed as people do (no diacritics, đ as d, lower
case), judged the same: the twins measure whether typing without accents finds the same records.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

from demo.catalogue import build_archives
from demo.models import Archive, DemoRecord
from demo.vocabulary import ORIGIN_UNITS, SCHOOL_NAMESAKES
from schema.record import record_id

HERITAGE_ORIGIN = "TTH"  # Huế's units carry the monuments of the Cố đô
MONUMENT_QUERIES = 3


@dataclass(frozen=True)
class Judgment:
    query: str
    kind: str  # what the query stands for: "reference code", "province", …
    grades: Mapping[str, int]  # record id -> 3, 2 or 1; records not named are not relevant
    accented: str | None = None  # for an unaccented twin: the accented query it stands in for


def fold(text: str) -> str:
    """The text as typed without diacritics: marks dropped, đ as d, lower case."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def words(text: str) -> tuple[str, ...]:
    """Lower-cased words, punctuation dropped: "phòng, chống" reads as the phrase "phòng chống"."""
    return tuple(re.findall(r"\w+", unicodedata.normalize("NFC", text).lower()))


def has_phrase(text: str, phrase: str) -> bool:
    haystack, needle = words(text), words(phrase)
    return any(haystack[i:i + len(needle)] == needle for i in range(len(haystack) - len(needle) + 1))


def has_all(text: str, *phrases: str) -> bool:
    return all(has_phrase(text, phrase) for phrase in phrases)


class _Visible:
    """The records an anonymous reader may find, in catalogue order, with their portal ids."""

    def __init__(self, archives: Mapping[str, Archive]):
        self.entries = [(record_id(slug, r.local_id), slug, r) for slug, archive in archives.items()
                        for r in archive.records if not r.deleted and r.access != "closed"]
        self.slugs = list(archives)

    def select(self, where: Callable[[DemoRecord], bool] = lambda r: True, *, level: str | None = None,
               slug: str | None = None) -> list[tuple[str, DemoRecord]]:
        return [(rid, r) for rid, s, r in self.entries
                if (level is None or r.level == level) and (slug is None or s == slug) and where(r)]

    def by_local_id(self, local_id: str) -> tuple[str, DemoRecord] | None:
        return next(((rid, r) for rid, _, r in self.entries if r.local_id == local_id), None)


def _middle(found: list):
    return found[len(found) // 2] if found else None


def _graded(*tiers: tuple[int, list[tuple[str, DemoRecord]]]) -> dict[str, int]:
    """Grades from (grade, records) tiers, highest tier first; a record keeps its highest grade."""
    grades: dict[str, int] = {}
    for grade, found in tiers:
        for rid, _ in found:
            grades[rid] = max(grade, grades.get(rid, 0))
    return grades


Rule = Iterator[tuple[str, str, dict[str, int]]]  # (query, kind, grades)


def _reference_codes(visible: _Visible) -> Rule:
    """Known-item look-ups by reference code: a file of each archive, a series, an item."""
    picks = [_middle(visible.select(level="file", slug=slug)) for slug in visible.slugs]
    picks.append(_middle(visible.select(level="series", slug=visible.slugs[1])))
    picks.append(_middle(visible.select(level="item", slug=visible.slugs[-1])))
    for pick in filter(None, picks):
        code = pick[1].reference_code
        yield code, "reference code", _graded((3, visible.select(lambda r: r.reference_code == code)))


def _doc_numbers(visible: _Visible) -> Rule:
    """Document numbers ("125/QĐ-UBND"): every visible document with that number is the answer."""
    picks = [_middle(visible.select(lambda r: "/QĐ-" in r.doc_number, level="item", slug=slug))
             for slug in visible.slugs]
    picks.append(_middle(visible.select(lambda r: r.doc_number.endswith("-HĐND"), level="item")))
    for pick in filter(None, picks):
        number = pick[1].doc_number
        yield number, "document number", _graded((3, visible.select(lambda r: r.doc_number == number)))


_APPOINTED = re.compile(r"bổ nhiệm (?:ông|bà) (.+?) giữ chức")


def _appointments(visible: _Visible) -> Rule:
    """A distinctive title phrase: the decision appointing a named person."""
    for slug in (visible.slugs[0], visible.slugs[-1]):
        pick = _middle(visible.select(lambda r: bool(_APPOINTED.search(r.title)), level="item", slug=slug))
        if pick:
            person = _APPOINTED.search(pick[1].title).group(1)
            yield (f"bổ nhiệm {person}", "title phrase",
                   _graded((3, visible.select(lambda r: has_all(r.title, "bổ nhiệm", person)))))


def _monuments(visible: _Visible) -> Rule:
    """Restoration of a monument of the Cố đô Huế: its hồ sơ first, then its documents."""
    yielded = 0
    for monument in ORIGIN_UNITS[HERITAGE_ORIGIN].monuments:
        files = visible.select(lambda r: has_all(r.title, "trùng tu", monument), level="file")
        if files and yielded < MONUMENT_QUERIES:
            yielded += 1
            yield (f"trùng tu {monument}", "topic and place",
                   _graded((3, files), (2, visible.select(lambda r: has_phrase(r.title, monument), level="item"))))


def _agency_topics(visible: _Visible) -> Rule:
    """An agency and a matter: its hồ sơ, then its documents, then the matter at other agencies."""
    cases = (
        ("Sở Tài chính dự toán ngân sách", "Sở Tài chính", ("dự toán", "ngân sách")),
        ("Sở Nông nghiệp vụ lúa Đông Xuân", "Sở Nông nghiệp", ("lúa", "Đông Xuân")),
        ("Sở Giáo dục thành lập trường", "Sở Giáo dục", ("thành lập trường",)),
        ("Hội đồng nhân dân kỳ họp", "Hội đồng nhân dân", ("kỳ họp",)),
    )
    for query, agency, topic in cases:
        about = lambda r, topic=topic: has_all(r.title, *topic)  # noqa: E731
        by_agency = lambda r, agency=agency: r.creator.startswith(agency) and about(r)  # noqa: E731
        yield query, "agency and topic", _graded(
            (3, visible.select(by_agency, level="file")), (2, visible.select(by_agency, level="item")),
            (1, visible.select(about)))


def _provinces(visible: _Visible) -> Rule:
    """A former province's name: its fonds are the way in, then their series, then all its records."""
    for origin in ("BT", "TV", "HG"):
        unit = ORIGIN_UNITS[origin]
        name = unit.province_name.removeprefix("Tỉnh ").removeprefix("Thành phố ")
        of_origin = lambda r, unit=unit: r.origin_province_name == unit.province_name  # noqa: E731
        yield name, "province", _graded(
            (3, visible.select(of_origin, level="fonds")), (2, visible.select(of_origin, level="series")),
            (1, visible.select(of_origin)))


def _fonds_titles(visible: _Visible) -> Rule:
    """A fonds asked for by its title, without the years."""
    for local_id in ("HG.SNV", "HUE.PVHTT", "BT.SNN"):
        found = visible.by_local_id(local_id)
        if found:
            title = re.sub(r"\s*\([^)]*\)$", "", found[1].title)
            yield title, "fonds title", _graded((3, visible.select(lambda r: r.title.startswith(title),
                                                                   level="fonds")))


def _doc_types_and_topics(visible: _Visible) -> Rule:
    """A kind of document on a matter: those documents, then the hồ sơ of the matter, then its other documents."""
    cases = (
        ("quyết định thu hồi đất", "Quyết định", ("thu hồi đất",), ("thu hồi đất",)),
        ("chỉ thị phòng chống thiên tai", "Chỉ thị", ("phòng chống thiên tai",), ("phòng chống",)),
        ("nghị quyết dự toán ngân sách", "Nghị quyết", ("dự toán", "ngân sách"), ("dự toán", "ngân sách")),
    )
    for query, doc_type, topic, file_topic in cases:
        about = lambda r, topic=topic: has_all(r.title, *topic)  # noqa: E731
        yield query, "document type and topic", _graded(
            (3, visible.select(lambda r, t=doc_type: r.doc_type == t and about(r), level="item")),
            (2, visible.select(lambda r, t=file_topic: has_all(r.title, *t), level="file")),
            (1, visible.select(about, level="item")))


def _disasters(visible: _Visible) -> Rule:
    """Relief after a kind of disaster: the hồ sơ, the relief documents, then the other documents."""
    for disaster in ("triều cường", "lũ quét"):
        yield f"khắc phục hậu quả {disaster}", "topic", _graded(
            (3, visible.select(lambda r, d=disaster: has_all(r.title, "khắc phục hậu quả", d), level="file")),
            (2, visible.select(lambda r, d=disaster: has_phrase(r.title, f"khắc phục hậu quả {d}"),
                               level="item")),
            (1, visible.select(lambda r, d=disaster: has_phrase(r.title, d), level="item")))


def _schools(visible: _Visible) -> Rule:
    """The founding of a named school."""
    for school in SCHOOL_NAMESAKES:
        school_name = f"Trường Trung học phổ thông {school}"
        files = visible.select(lambda r: has_phrase(r.title, f"thành lập {school_name}"), level="file")
        if files:
            yield f"thành lập trường {school}", "topic and name", _graded(
                (3, files),
                (2, visible.select(lambda r: has_phrase(r.title, f"thành lập {school_name}"), level="item")),
                (1, visible.select(lambda r: has_phrase(r.title, school_name), level="item")))
            return


def _land_projects(visible: _Visible) -> Rule:
    """Land taken for a named project: the compensation hồ sơ, then its documents."""
    for origin in ("VL", "CT"):
        for project in ORIGIN_UNITS[origin].projects:
            files = visible.select(lambda r: has_all(r.title, "thu hồi đất", project), level="file")
            if files:
                yield project, "project", _graded(
                    (3, files), (2, visible.select(lambda r: has_phrase(r.title, project), level="item")))
                break


_SCHOOL_YEAR = re.compile(r"tổng kết năm học (\d{4})–(\d{4})")


def _school_years(visible: _Visible) -> Rule:
    """The report closing one school year."""
    pick = _middle(visible.select(lambda r: bool(_SCHOOL_YEAR.search(r.title)), level="file"))
    if pick:
        years = "–".join(_SCHOOL_YEAR.search(pick[1].title).groups())
        yield f"tổng kết năm học {years}", "topic and year", _graded(
            (3, visible.select(lambda r: has_phrase(r.title, f"tổng kết năm học {years}"), level="file")),
            (2, visible.select(lambda r: has_phrase(r.title, f"tổng kết năm học {years}"), level="item")),
            (1, visible.select(lambda r: has_phrase(r.title, f"năm học {years}"), level="item")))


RULES = (_reference_codes, _doc_numbers, _appointments, _monuments, _agency_topics, _provinces,
         _fonds_titles, _doc_types_and_topics, _disasters, _schools, _land_projects, _school_years)


def build_judgments(archives: Mapping[str, Archive] | None = None) -> list[Judgment]:
    """Every judgment, each accented query followed by its unaccented twin when typing differs."""
    visible = _Visible(archives if archives is not None else build_archives())
    judgments = []
    for rule in RULES:
        for query, kind, grades in rule(visible):
            if not grades:
                continue
            judgments.append(Judgment(query, kind, grades))
            if fold(query) != query.lower():
                judgments.append(Judgment(fold(query), kind, grades, accented=query))
    return judgments
