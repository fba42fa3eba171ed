"""Names people read for the codes records carry: levels, access levels, provinces."""
from __future__ import annotations

from babel import Locale, UnknownLocaleError
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from schema.provinces import province_name

LEVEL_LABELS = {
    "fonds": _l("Fonds"),
    "series": _l("Series"),
    "file": _l("File"),
    "item": _l("Item"),
}
ACCESS_LABELS = {
    "public": _l("Public"),
    "restricted": _l("Restricted (conditional use)"),
    "closed": _l("Closed"),
}

# The formats archives send, by media type, in words a reader knows; the type itself stays in a tooltip.
MEDIA_TYPE_LABELS = {
    "application/pdf": _l("PDF document"),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": _l("Word document (DOCX)"),
    "application/msword": _l("Word 97–2003 document (DOC)"),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": _l("Excel spreadsheet (XLSX)"),
    "application/vnd.ms-excel": _l("Excel 97–2003 spreadsheet (XLS)"),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": _l("PowerPoint presentation (PPTX)"),
    "application/vnd.oasis.opendocument.text": _l("OpenDocument text (ODT)"),
    "application/vnd.oasis.opendocument.spreadsheet": _l("OpenDocument spreadsheet (ODS)"),
    "application/rtf": _l("Rich Text document (RTF)"),
    "text/rtf": _l("Rich Text document (RTF)"),
    "image/tiff": _l("TIFF image"),
    "image/jpeg": _l("JPEG image"),
    "image/png": _l("PNG image"),
    "image/jp2": _l("JPEG 2000 image"),
    "application/xml": _l("XML document"),
    "text/xml": _l("XML document"),
    "text/plain": _l("Plain text (TXT)"),
    "text/csv": _l("CSV table"),
    "text/html": _l("Web page (HTML)"),
    "application/zip": _l("ZIP archive"),
    "audio/mpeg": _l("MP3 audio"),
    "video/mp4": _l("MP4 video"),
}

ROLE_LABELS = {
    "anonymous": _l("Visitor"),
    "reader": _l("Reader"),
    "staff": _l("Archive staff"),
    "archive_admin": _l("Archive administrator"),
    "national_admin": _l("National administrator"),
    "auditor": _l("Auditor"),
}


HARVEST_STATE_LABELS = {
    "running": _l("running"),
    "done": _l("done"),
    "done-with-errors": _l("done, some records failed"),
    "failed": _l("failed"),
    "stopped": _l("stopped"),
}
HARVEST_MODE_LABELS = {
    "incremental": _l("new and changed records"),
    "full": _l("full re-harvest"),
    "record": _l("one record"),
}
# The kinds of problem a run's report groups its notes under (indexer: run.note(kind, ...)).
ERROR_KIND_LABELS = {
    "xml": _l("Records that are not well-formed XML"),
    "mapping": _l("Descriptions the harvester could not read"),
    "index": _l("Records the search index refused"),
    "file": _l("Files that could not be read"),
    "ocr": _l("Scans not read by OCR"),
    "link": _l("File links refused"),
    "extraction": _l("Text extraction"),
    "page": _l("List pages repaired"),
    "source": _l("About the source"),
    "retry": _l("Requests tried again"),
    "duplicate": _l("Records described twice"),
    "package": _l("Packages refused"),
}
# What a harvest's technical message means, for the people who run the archive: (a phrase the message
# holds, the plain words). The message itself stays one click away for admins.
_PROBLEMS = (
    ("is being harvested by", _l("Another harvest of this source was running.")),
    ("was taken over while this process stalled", _l("Another process took this harvest over; it goes on there.")),
    ("not a directory", _l("The inbox folder of this source is missing on the server.")),
    ("did not answer with XML", _l("The archive's server did not answer with an OAI-PMH document.")),
    ("answered HTTP", _l("The archive's server answered with an error.")),
    ("did not answer", _l("The archive's server could not be reached.")),
    ("Max retries exceeded", _l("The archive's server could not be reached.")),
    ("was not read:", _l("The archive's server sent the harvester to an address it may not use.")),
    ("cannotDisseminateFormat", _l("The archive does not offer the metadata format asked for.")),
    ("badArgument", _l("The archive's server refused the harvester's request.")),
    ("resumptionTokenLoop", _l("The archive's server repeated itself; the harvest was stopped.")),
    ("OpenSearch", _l("The portal's search index could not be written.")),
    ("interrupted", _l("The harvest was interrupted; the next one continues from where it stopped.")),
)


def harvest_state_label(key: str | None) -> str:
    return str(HARVEST_STATE_LABELS.get(key or "", key or ""))


def harvest_mode_label(key: str | None) -> str:
    return str(HARVEST_MODE_LABELS.get(key or "", key or ""))


def error_kind_label(kind: str | None) -> str:
    return str(ERROR_KIND_LABELS.get(kind or "", kind or ""))


def problem_label(message: str | None) -> str:
    """Plain words for a harvest's technical message ("HTTPConnectionPool… Max retries exceeded")."""
    if not message:
        return ""
    for phrase, words in _PROBLEMS:
        if phrase in message:
            return str(words)
    return _("The harvest stopped because of an error.")


def role_label(key: str) -> str:
    return str(ROLE_LABELS.get(key, key))


def level_label(key: str) -> str:
    return str(LEVEL_LABELS.get(key, key))


def access_label(key: str) -> str:
    return str(ACCESS_LABELS.get(key, key))


def province_label(code: str, fallback: str | None = None) -> str:
    return fallback or province_name(code) or code


def former_province_label(former: str, current: str) -> str:
    """A province merged on 1 July 2025, with the one it is part of now."""
    return _("%(former)s (now %(current)s)", former=former, current=current)


def language_label(code: str | None) -> str:
    """'vi' → 'Tiếng Việt' (or 'Vietnamese' in English); an unknown code as it is."""
    if not code:
        return ""
    try:
        name = Locale.parse(code.replace("-", "_")).get_display_name(str(get_locale()))
    except (ValueError, UnknownLocaleError):
        return code
    return name[:1].upper() + name[1:] if name else code


def media_type_label(media_type: str | None) -> str:
    """A file's format in words ("Word document (DOCX)"); an unknown type as it is."""
    bare = (media_type or "").split(";", 1)[0].strip().lower()
    label = MEDIA_TYPE_LABELS.get(bare)
    return str(label) if label else (media_type or "")
