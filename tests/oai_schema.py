"""Validating OAI-PMH answers against the OAI-PMH 2.0 schema with lxml, offline: the schema, oai_dc, the
oai-identifier description and EAD 2002 (with the XLink and XML namespaces they import) are read from
tests/fixtures/oai-pmh-schemas/ (ORIGIN.md there), never fetched."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from lxml import etree

SCHEMAS = Path(__file__).parent / "fixtures" / "oai-pmh-schemas"
# What the schemas import from the web, and the copy kept here.
_LOCAL = {
    "http://www.w3.org/2001/03/xml.xsd": "xml.xsd",
    "http://www.w3.org/2001/xml.xsd": "xml.xsd",
    "http://www.loc.gov/standards/xlink/xlink.xsd": "xlink.xsd",
}
# The namespaces an answer may carry inside <metadata> and <description> (strict wildcards in OAI-PMH.xsd).
_IMPORTS = {
    "http://www.openarchives.org/OAI/2.0/": "OAI-PMH.xsd",
    "http://www.openarchives.org/OAI/2.0/oai_dc/": "oai_dc.xsd",
    "http://www.openarchives.org/OAI/2.0/oai-identifier": "oai-identifier.xsd",
    "urn:isbn:1-931666-22-9": "ead.xsd",
}


class _Offline(etree.Resolver):
    def resolve(self, url, public_id, context):
        if url in _LOCAL:
            return self.resolve_filename(str(SCHEMAS / _LOCAL[url]), context)
        if url.startswith(("http://", "https://")):
            raise AssertionError(f"the schemas asked for {url}, which is not kept in {SCHEMAS}")
        return None


@lru_cache(maxsize=1)
def oai_schema() -> etree.XMLSchema:
    imports = "".join(f'<xs:import namespace="{namespace}" schemaLocation="{(SCHEMAS / name).as_uri()}"/>'
                      for namespace, name in _IMPORTS.items())
    wrapper = f'<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">{imports}</xs:schema>'
    parser = etree.XMLParser(no_network=True)
    parser.resolvers.add(_Offline())
    return etree.XMLSchema(etree.fromstring(wrapper.encode(), parser, base_url=(SCHEMAS / "wrapper.xsd").as_uri()))


def assert_valid(xml: bytes) -> etree._Element:
    """The answer parsed; AssertionError naming the schema's complaints when it is not valid OAI-PMH."""
    document = etree.fromstring(xml, etree.XMLParser(no_network=True, resolve_entities=False))
    schema = oai_schema()
    if not schema.validate(document):
        raise AssertionError("not valid OAI-PMH 2.0:\n" + "\n".join(str(e) for e in schema.error_log[:10]))
    return document
