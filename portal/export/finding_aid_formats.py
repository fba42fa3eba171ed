"""The formats a finding aid downloads in: EAD 2002 (the default) and PDF."""
from __future__ import annotations

from portal.export import FileFormat
from portal.export.ead import render_ead
from portal.export.finding_aid_pdf import render_finding_aid_pdf

FINDING_AID_FORMATS = {
    f.name: f for f in (
        FileFormat("ead", "application/xml; charset=utf-8", "xml", render_ead),
        FileFormat("pdf", "application/pdf", "pdf", render_finding_aid_pdf),
    )
}
DEFAULT_FINDING_AID_FORMAT = "ead"
