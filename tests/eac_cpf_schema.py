"""The EAC-CPF 2010 schema of tests/fixtures/eac-cpf, loaded offline: its imports of the XLink and XML
namespace schemas are resolved to the copies kept with the fixtures (ORIGIN.md there)."""
from __future__ import annotations

from functools import cache
from pathlib import Path

from lxml import etree

FIXTURES = Path(__file__).resolve().parent / "fixtures"
_LOCAL = {
    "http://www.loc.gov/standards/xlink/xlink.xsd": FIXTURES / "ead2002" / "xlink.xsd",
    "http://www.w3.org/2007/08/xml.xsd": FIXTURES / "eac-cpf" / "xml.xsd",
}


class _Offline(etree.Resolver):
    def resolve(self, url, public_id, context):
        if url in _LOCAL:
            return self.resolve_filename(str(_LOCAL[url]), context)
        if url.startswith(("http://", "https://")):
            raise AssertionError(f"the EAC-CPF schema asked for {url}, which is not kept in {FIXTURES}")
        return None


@cache
def eac_cpf_schema() -> etree.XMLSchema:
    parser = etree.XMLParser(no_network=True)
    parser.resolvers.add(_Offline())
    return etree.XMLSchema(etree.parse(str(FIXTURES / "eac-cpf" / "cpf.xsd"), parser))
