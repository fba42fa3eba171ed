"""The EAD 2002 schema of tests/fixtures/ead2002, loaded offline: its import of the XLink schema
from loc.gov is resolved to the copy beside it."""
from __future__ import annotations

from functools import cache
from pathlib import Path

from lxml import etree

SCHEMA_DIR = Path(__file__).resolve().parent / "fixtures" / "ead2002"
EAD_NS = {"ead": "urn:isbn:1-931666-22-9", "xlink": "http://www.w3.org/1999/xlink"}


class _LocalXLink(etree.Resolver):
    def resolve(self, url, pubid, context):
        if url.endswith("/xlink.xsd"):
            return self.resolve_filename(str(SCHEMA_DIR / "xlink.xsd"), context)
        return None


@cache
def ead_schema() -> etree.XMLSchema:
    parser = etree.XMLParser(no_network=True)
    parser.resolvers.add(_LocalXLink())
    return etree.XMLSchema(etree.parse(str(SCHEMA_DIR / "ead.xsd"), parser))
