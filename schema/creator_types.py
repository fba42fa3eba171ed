"""A creator's type of entity (ISAAR(CPF) 5.1.1, in EAC-CPF's words) and the EAD element naming each in
`<origination>`: the harvester reads them (indexer.mapping.ead), the portal writes them back (its EAD)."""
from __future__ import annotations

# In the order a creator is taken from an origination that names more than one.
EAD_NAME_ELEMENTS = {"corporateBody": "corpname", "person": "persname", "family": "famname"}


def ead_name_element(creator_type: str | None) -> str:
    """The element for a record's creator; an agency's when the record does not say (other formats, older runs)."""
    return EAD_NAME_ELEMENTS.get(creator_type or "", "corpname")
