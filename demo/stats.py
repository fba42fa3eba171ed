"""Counts of the demo catalogue by archive, level, access and file type: what `python -m demo stats` prints."""

from __future__ import annotations

from collections import Counter

from demo.models import ACCESS_LEVELS, DOCX_MEDIA_TYPE, LEVELS, PDF_MEDIA_TYPE, TIFF_MEDIA_TYPE, Archive

FILE_KINDS = {PDF_MEDIA_TYPE: "pdf", DOCX_MEDIA_TYPE: "docx", TIFF_MEDIA_TYPE: "tiff"}


def archive_counts(archive: Archive) -> dict[str, int]:
    """Flat counts for one archive, keyed like "level.item", "access.restricted", "files.pdf"."""
    counts: Counter[str] = Counter()
    for record in archive.records:
        counts["records"] += 1
        counts[f"level.{record.level}"] += 1
        counts[f"access.{record.access}"] += 1
        counts["deleted"] += record.deleted
        if record.files:
            counts["items_with_files"] += 1
        for demo_file in record.files:
            counts[f"files.{FILE_KINDS[demo_file.media_type]}"] += 1
            counts["scans"] += demo_file.scan is not None
    return dict(counts)


def format_stats(archives: dict[str, Archive]) -> str:
    """A plain-text table of the counts, one block per archive and a total."""
    lines = []
    totals: Counter[str] = Counter()
    for archive in archives.values():
        counts = archive_counts(archive)
        totals.update(counts)
        lines.append(f"{archive.slug} ({archive.name}, province {archive.province_code}, "
                     f"{archive.repository_domain})")
        lines += _count_lines(counts)
    lines.append("total")
    lines += _count_lines(totals)
    return "\n".join(lines)


def _count_lines(counts: dict[str, int]) -> list[str]:
    levels = ", ".join(f"{level} {counts.get(f'level.{level}', 0)}" for level in LEVELS)
    access = ", ".join(f"{level} {counts.get(f'access.{level}', 0)}" for level in ACCESS_LEVELS)
    return [
        f"  records {counts.get('records', 0)} (deleted {counts.get('deleted', 0)})",
        f"  levels: {levels}",
        f"  access: {access}",
        f"  files: pdf {counts.get('files.pdf', 0)}, docx {counts.get('files.docx', 0)}, "
        f"tiff {counts.get('files.tiff', 0)} on {counts.get('items_with_files', 0)} items; "
        f"{counts.get('scans', 0)} of the files scans without a text layer",
    ]
