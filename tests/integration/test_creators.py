"""Creators (issue 19) on the real services: two archives' EAD catalogues harvested over OAI-PMH into
OpenSearch, the creators reconciled into the database (SQLite and PostgreSQL), their pages, the search by
creator, the record page's link, the EAC-CPF export, and the permission filter over all of them: a closed
fonds' creator is unknown (404) to whoever may not see it, counts are of what the reader may see. Admins'
merges and splits are audited and survive a re-harvest."""
from __future__ import annotations

import json
import re
from datetime import datetime
from urllib.parse import quote

import pytest
from lxml import etree
from sqlalchemy import create_engine

from portal import database
from portal.audit import actions
from portal.creators.models import Creator, CreatorName
from tests.accounts import create_user, csrf_token, sign_in, signed_in_client
from tests.audit_support import audit_rows, make_audit_table_read_only
from tests.conftest import ServerThread, drop_indices, make_portal
from tests.eac_cpf_schema import eac_cpf_schema
from tests.integration.harvest_helpers import FAST_RETRIES
from tests.pyoai_provider import PyoaiRecord, PyoaiRepository, PyoaiWsgiApp

EAD = "urn:isbn:1-931666-22-9"
UBND_BEN_TRE = "Ủy ban nhân dân tỉnh Bến Tre"


def _fonds(code: str, title: str, creator: str, place: str, access: str, history: str = "",
           files: int = 2, file_access: str = "", creator_element: str = "corpname") -> etree._Element:
    """An EAD finding aid of one fonds with `files` files, as a provincial archive's catalogue sends it."""
    bioghist = f"<bioghist><p>{history}</p></bioghist>" if history else ""
    restrict = f"<accessrestrict><p>{file_access}</p></accessrestrict>" if file_access else ""
    components = "".join(
        f'<c level="file" id="{code}-{n}"><did><unitid>{n}</unitid><unittitle>Hồ sơ số {n}</unittitle>'
        f"<unitdate>{1980 + n}</unitdate></did>{restrict}</c>" for n in range(1, files + 1))
    return etree.fromstring(
        f'<ead xmlns="{EAD}"><eadheader><eadid>{code}</eadid><filedesc><titlestmt><titleproper>{title}'
        f'</titleproper></titlestmt></filedesc></eadheader><archdesc level="fonds"><did><unitid>{code}</unitid>'
        f"<unittitle>{title}</unittitle><unitdate>1976-2025</unitdate><origination><{creator_element}>{creator}"
        f"</{creator_element}>"
        f"</origination></did><accessrestrict><p>{access}</p></accessrestrict>{bioghist}"
        f"<controlaccess><geogname>{place}</geogname></controlaccess><dsc>{components}</dsc></archdesc></ead>")


# Bến Tre's former archive catalogue (now held by Vĩnh Long, 86) and Vĩnh Long's own.
BENTRE = {
    "BT.P01": _fonds("BT.P01", "Phông Ủy ban nhân dân tỉnh Bến Tre", UBND_BEN_TRE, "Tỉnh Bến Tre", "Công khai",
                     "Ủy ban nhân dân tỉnh Bến Tre được thành lập năm 1976.", file_access="Mật"),
    "BT.P02": _fonds("BT.P02", "Phông Công an tỉnh Bến Tre", "Công an tỉnh Bến Tre", "Tỉnh Bến Tre", "Mật"),
    "BT.P03": _fonds("BT.P03", "Phông UBND tỉnh Bến Tre (bổ sung)", "UBND tỉnh Bến Tre", "Tỉnh Bến Tre",
                     "Công khai", files=1),
    "BT.P04": _fonds("BT.P04", "Phông Sở Nội vụ tỉnh Bến Tre", "Sở Nội vụ", "Tỉnh Bến Tre", "Công khai", files=1),
    # A person's own papers: the creator is the person (EAD's persname), not an agency.
    "BT.P05": _fonds("BT.P05", "Phông cá nhân Phan Văn Trị", "Phan Văn Trị", "Tỉnh Bến Tre", "Công khai", files=1,
                     creator_element="persname"),
}
VINHLONG = {
    # Old-style tone placement, the merged province: one creator with BT.P01's
    "VL.P10": _fonds("VL.P10", "Phông Uỷ ban nhân dân tỉnh Bến Tre (2025)", "Uỷ ban nhân dân tỉnh Bến Tre",
                     "Tỉnh Vĩnh Long", "Công khai", "Năm 2025 hợp nhất vào tỉnh Vĩnh Long.", files=3),
    "VL.P11": _fonds("VL.P11", "Phông Sở Nội vụ tỉnh Vĩnh Long", "Sở Nội vụ", "Thành phố Hồ Chí Minh",
                     "Sử dụng có điều kiện", files=1),
}


def _provider(fonds: dict[str, etree._Element]) -> PyoaiWsgiApp:
    records = [PyoaiRecord(f"oai:archive:{code}", datetime(2026, 11, 1, 8, n), {"ead": [ead]})
               for n, (code, ead) in enumerate(fonds.items())]
    return PyoaiWsgiApp(PyoaiRepository(records, metadata_prefix="oai_ead"), batch_size=10)


@pytest.fixture(scope="module")
def providers():
    bentre, vinhlong = _provider(BENTRE), _provider(VINHLONG)
    with ServerThread(bentre) as first, ServerThread(vinhlong) as second:
        for app, server in ((bentre, first), (vinhlong, second)):
            app.repository.base_url = f"{server.url}/oai"
        yield {"bentre": first.url, "vinhlong": second.url}


def _harvested_portal(tmp_path_factory, providers, database_url=None):
    app = make_portal(tmp_path_factory, database_url=database_url, **FAST_RETRIES)
    runner = app.test_cli_runner()
    for source_id, url in providers.items():
        added = runner.invoke(args=["sources", "add", "--id", source_id, "--province", "86", "--prefix", "oai_ead",
                                    "--url", f"{url}/oai"])
        assert added.exit_code == 0, added.output
    for source_id in providers:
        result = runner.invoke(args=["harvest", "--source", source_id])
        assert result.exit_code == 0, result.output
    return app


@pytest.fixture(scope="module")
def portal(tmp_path_factory, providers):
    app = _harvested_portal(tmp_path_factory, providers)
    yield app
    drop_indices(app)


def _creators(app) -> dict[str, Creator]:
    """Each live creator by its name forms' names."""
    with app.app_context():
        db = database.get_db()
        found = {}
        for form in db.query(CreatorName):
            creator = db.get(Creator, form.creator_id)
            db.expunge(creator)
            found[form.name] = creator
        return found


def _id_of(app, name: str) -> int:
    return _creators(app)[name].id


def test_the_harvest_reconciles_one_creator_across_spellings_and_the_former_province(portal):
    creators = _creators(portal)
    assert set(creators) == {UBND_BEN_TRE, "Uỷ ban nhân dân tỉnh Bến Tre", "Công an tỉnh Bến Tre",
                             "UBND tỉnh Bến Tre", "Sở Nội vụ", "Phan Văn Trị"}
    # The old-style spelling (Vĩnh Long's) and Bến Tre's meet: Bến Tre is part of Vĩnh Long (86) since 2025.
    assert creators[UBND_BEN_TRE].id == creators["Uỷ ban nhân dân tỉnh Bến Tre"].id
    # The abbreviation stays apart (a doubt for an admin), as does "Sở Nội vụ" of two provinces.
    assert creators["UBND tỉnh Bến Tre"].id != creators[UBND_BEN_TRE].id
    with portal.app_context():
        forms = database.get_db().query(CreatorName).filter(CreatorName.name == "Sở Nội vụ").all()
    assert sorted(form.province for form in forms) == ["79", "86"] and len({f.creator_id for f in forms}) == 2


def test_creator_page_shows_its_fonds_of_both_catalogues_with_counts_and_histories(portal):
    creator_id = _id_of(portal, UBND_BEN_TRE)
    page = portal.test_client().get(f"/creators/{creator_id}?lang=vi")
    assert page.status_code == 200
    html = page.text
    assert f"<h1>{UBND_BEN_TRE}</h1>" in html
    fonds = re.findall(r'data-fonds="([^"]+)"', html)
    assert fonds == ["bentre:BT.P01", "vinhlong:VL.P10"]
    assert "Ủy ban nhân dân tỉnh Bến Tre được thành lập năm 1976." in html
    assert "Năm 2025 hợp nhất vào tỉnh Vĩnh Long." in html
    # Anonymous readers see the fonds and Vĩnh Long's 3 files; Bến Tre's 2 files are closed: not counted.
    assert re.search(r'data-fonds="bentre:BT.P01".*?0 tài liệu', html, re.S)
    assert re.search(r'data-fonds="vinhlong:VL.P10".*?3 tài liệu', html, re.S)
    assert "Uỷ ban nhân dân tỉnh Bến Tre" in re.search(r"data-other-names>(.*?)</ul>", html, re.S).group(1)
    assert "Các dạng tên khác" in html  # Vietnamese first
    assert "Other forms of the name" in portal.test_client().get(f"/creators/{creator_id}?lang=en").text


def test_a_closed_fonds_creator_is_unknown_to_readers_and_known_to_its_province_staff(portal):
    closed = _id_of(portal, "Công an tỉnh Bến Tre")
    assert portal.test_client().get(f"/creators/{closed}").status_code == 404
    assert portal.test_client().get(f"/api/v1/creators/{closed}/eac-cpf").status_code == 404
    assert portal.test_client().get("/creators/999999").status_code == 404
    reader = signed_in_client(portal, "reader-creators@example.vn", "reader")
    assert reader.get(f"/creators/{closed}").status_code == 404
    other_staff = signed_in_client(portal, "staff01-creators@example.vn", "staff", province="01")
    assert other_staff.get(f"/creators/{closed}").status_code == 404
    assert "Công an tỉnh Bến Tre" not in portal.test_client().get("/creators").text
    staff = signed_in_client(portal, "staff86-creators@example.vn", "staff", province="86")
    page = staff.get(f"/creators/{closed}")
    assert page.status_code == 200 and "bentre:BT.P02" in page.text
    # Staff of Vĩnh Long count Bến Tre's closed files too.
    assert re.search(r'data-fonds="bentre:BT.P01".*?2 tài liệu',
                     staff.get(f"/creators/{_id_of(portal, UBND_BEN_TRE)}").text, re.S)


def test_a_restricted_fonds_creator_is_shown_its_metadata_being_open_to_all(portal):
    restricted = [c for name, c in _creators(portal).items() if name == "Sở Nội vụ" and c.province == "79"][0]
    page = portal.test_client().get(f"/creators/{restricted.id}")
    assert page.status_code == 200 and "vinhlong:VL.P11" in page.text


def test_search_filters_by_creator_through_the_permission_filter(portal):
    creator_id = _id_of(portal, UBND_BEN_TRE)
    anonymous = portal.test_client().get(f"/api/v1/search?creator_id={creator_id}&size=50").json
    ids = {hit["id"] for hit in anonymous["hits"]}
    assert ids == {"bentre:BT.P01", "vinhlong:VL.P10", *(f"vinhlong:VL.P10/{n}" for n in (1, 2, 3))}
    staff = signed_in_client(portal, "staff86-search@example.vn", "staff", province="86")
    assert staff.get(f"/api/v1/search?creator_id={creator_id}&size=50").json["total"] == 7
    page = portal.test_client().get(f"/search?creator_id={creator_id}&lang=en").text
    assert re.search(r'data-remove-filter="creator_id">\s*<span class="filter-group">Creator:</span> '
                     + UBND_BEN_TRE, page)
    searches = [json.loads(row.details) for row in audit_rows(portal, actions.SEARCH)]
    assert {"channel": "page", "creator_id": str(creator_id)}.items() <= \
        {"channel": searches[-1]["channel"], **searches[-1]["params"]}.items()
    assert portal.test_client().get("/api/v1/search?creator_id=x").status_code == 400
    # A closed creator's filter finds nothing for a visitor, and its chip does not name it.
    closed = _id_of(portal, "Công an tỉnh Bến Tre")
    assert portal.test_client().get(f"/api/v1/search?creator_id={closed}").json["total"] == 0
    assert "Công an tỉnh Bến Tre" not in portal.test_client().get(f"/search?creator_id={closed}").text


def test_record_page_links_its_creator(portal):
    creator_id = _id_of(portal, UBND_BEN_TRE)
    page = portal.test_client().get("/records/" + quote("vinhlong:VL.P10")).text
    assert f'href="/creators/{creator_id}" data-creator-link>Uỷ ban nhân dân tỉnh Bến Tre</a>' in page


def test_eac_cpf_export_is_valid_and_holds_only_what_the_reader_may_see(portal):
    creator_id = _id_of(portal, UBND_BEN_TRE)
    answer = portal.test_client().get(f"/api/v1/creators/{creator_id}/eac-cpf")
    assert answer.status_code == 200 and answer.mimetype == "application/xml"
    document = etree.fromstring(answer.data)
    eac_cpf_schema().assertValid(document)
    ns = {"eac": "urn:isbn:1-931666-33-4"}
    assert document.xpath("//eac:nameEntry/eac:part/text()", namespaces=ns)[0] == UBND_BEN_TRE
    # The other spellings grouped under it (ISAAR(CPF) 5.1.5): further nameEntry, each an alternativeForm.
    assert document.xpath("//eac:nameEntry[eac:alternativeForm]/eac:part/text()", namespaces=ns) == \
        ["Uỷ ban nhân dân tỉnh Bến Tre"]
    assert len(document.xpath("//eac:resourceRelation", namespaces=ns)) == 2
    restricted = [c for name, c in _creators(portal).items() if name == "Sở Nội vụ" and c.province == "79"][0]
    eac_cpf_schema().assertValid(etree.fromstring(
        portal.test_client().get(f"/api/v1/creators/{restricted.id}/eac-cpf").data))


def _rows_for(app, action: str, creator_id: int):
    return [row for row in audit_rows(app, action) if row.target_id == str(creator_id)]


def test_viewing_and_exporting_a_creator_are_audited_with_the_creator_and_the_user(portal):
    creator_id = _id_of(portal, UBND_BEN_TRE)
    user_id = create_user(portal, "audited-creators@example.vn")
    reader = portal.test_client()
    assert sign_in(reader, "audited-creators@example.vn").status_code == 302
    assert reader.get(f"/creators/{creator_id}").status_code == 200
    assert reader.get(f"/api/v1/creators/{creator_id}/eac-cpf").status_code == 200
    for action, channel in ((actions.CREATOR_VIEW, "page"), (actions.CREATOR_EXPORT, "eac-cpf")):
        row, = [row for row in _rows_for(portal, action, creator_id) if row.actor == str(user_id)]
        assert row.outcome == "allowed" and row.target_province == "86"
        assert json.loads(row.details)["channel"] == channel
    closed = _id_of(portal, "Công an tỉnh Bến Tre")  # unknown to readers: a denied row, as for a record
    assert reader.get(f"/creators/{closed}").status_code == 404
    denied, = [row for row in _rows_for(portal, actions.CREATOR_VIEW, closed) if row.actor == str(user_id)]
    assert denied.outcome == "denied"


def test_a_creator_is_not_shown_when_its_view_cannot_be_audited(portal):
    creator_id = _id_of(portal, UBND_BEN_TRE)
    database_url = portal.config["DATABASE_URL"]
    make_audit_table_read_only(database_url)
    try:
        page = portal.test_client().get(f"/creators/{creator_id}")
        export = portal.test_client().get(f"/api/v1/creators/{creator_id}/eac-cpf")
    finally:
        engine = create_engine(database_url)
        with engine.begin() as connection:
            connection.exec_driver_sql("DROP TRIGGER audit_log_read_only")
        engine.dispose()
    assert page.status_code == 503 and "BT.P01" not in page.text
    assert export.status_code == 503 and b"BT.P01" not in export.data


def test_a_fonds_of_a_person_has_a_creator_of_type_person_in_eac_cpf_too(portal):
    creators = _creators(portal)
    assert creators["Phan Văn Trị"].entity_type == "person"
    assert creators[UBND_BEN_TRE].entity_type == "corporateBody"
    answer = portal.test_client().get(f"/api/v1/creators/{creators['Phan Văn Trị'].id}/eac-cpf")
    document = etree.fromstring(answer.data)
    eac_cpf_schema().assertValid(document)
    assert document.xpath("//eac:entityType/text()", namespaces={"eac": "urn:isbn:1-931666-33-4"}) == ["person"]
    page = portal.test_client().get(f"/creators/{creators['Phan Văn Trị'].id}?lang=en").text
    assert "<dd>Person</dd>" in page
    # The fonds' finding aid, as the portal exports it, names the person with EAD's persname again.
    finding_aid = etree.fromstring(portal.test_client().get("/api/v1/finding-aid/bentre:BT.P05?format=ead").data)
    assert finding_aid.xpath("//ead:origination/ead:persname/text()", namespaces={"ead": EAD}) == ["Phan Văn Trị"]
    # And so does the OAI-PMH provider's oai_ead, for a portal harvesting this one.
    asked = {"verb": "GetRecord", "identifier": "oai:archives-portal.invalid:bentre:BT.P05",
             "metadataPrefix": "oai_ead"}
    oai = etree.fromstring(portal.test_client().get("/oai", query_string=asked).data)
    assert oai.xpath("//ead:origination/ead:persname/text()", namespaces={"ead": EAD}) == ["Phan Văn Trị"]


def test_creators_list_finds_names_typed_without_diacritics(portal):
    page = portal.test_client().get("/creators?q=uy+ban+nhan+dan+ben+tre").text
    assert f"/creators/{_id_of(portal, UBND_BEN_TRE)}" in page
    assert "Công an" not in page


def _decide(client, **form):
    token = csrf_token(client.get("/admin/creators").text)
    return client.post("/admin/creators/decide", data={"csrf_token": token, **form})


def test_merge_and_split_are_audited_and_survive_a_reharvest(tmp_path_factory, providers, database_url):
    app = _harvested_portal(tmp_path_factory, providers, database_url)
    try:
        kept, abbreviated = _id_of(app, UBND_BEN_TRE), _id_of(app, "UBND tỉnh Bến Tre")
        assert app.test_client().get("/admin/creators").status_code == 302  # sign in first
        assert signed_in_client(app, "reader-doubts@example.vn", "reader").get("/admin/creators").status_code == 403
        admin = signed_in_client(app, "admin86-creators@example.vn", "archive_admin", province="86")
        doubts = admin.get("/admin/creators?lang=en").text
        pair = f'data-doubt="{min(kept, abbreviated)}-{max(kept, abbreviated)}"'
        assert pair in doubts and "abbreviates" in doubts
        # "Sở Nội vụ" of Hồ Chí Minh City is not Vĩnh Long's admins' to decide on
        assert "Thành phố Hồ Chí Minh" not in doubts
        assert _decide(admin, action="merge", first="x", second=abbreviated).status_code == 400
        assert _decide(admin, action="merge", first=2**40, second=abbreviated).status_code == 400
        assert _decide(admin, action="merge", first=kept, second=kept).status_code == 303  # refused, said so
        assert _id_of(app, "UBND tỉnh Bến Tre") == abbreviated
        assert _decide(admin, action="merge", first=kept, second=abbreviated).status_code == 303
        assert _id_of(app, "UBND tỉnh Bến Tre") == kept
        assert admin.get(f"/creators/{abbreviated}").headers["Location"].endswith(f"/creators/{kept}")
        assert pair not in admin.get("/admin/creators").text

        # Merged, then taken out again into a creator of its own; then everything harvested again.
        with app.app_context():
            form_id = database.get_db().query(CreatorName).filter(CreatorName.name == "UBND tỉnh Bến Tre").one().id
        assert _decide(admin, action="split", first=kept, form=form_id).status_code == 303
        separate = _id_of(app, "UBND tỉnh Bến Tre")
        assert separate not in (kept, abbreviated)
        for source_id in providers:
            assert app.test_cli_runner().invoke(args=["harvest", "--source", source_id, "--full"]).exit_code == 0
        assert app.test_cli_runner().invoke(args=["creators", "reconcile"]).exit_code == 0
        after = _creators(app)
        assert after["Uỷ ban nhân dân tỉnh Bến Tre"].id == after[UBND_BEN_TRE].id == kept
        assert after["UBND tỉnh Bến Tre"].id == separate
        # Split creators are kept apart: no longer listed as a doubt.
        assert f'data-doubt="{kept}-{separate}"' not in admin.get("/admin/creators").text

        merges, splits = audit_rows(app, actions.CREATOR_MERGE), audit_rows(app, actions.CREATOR_SPLIT)
        assert [(row.target_id, row.target_province) for row in merges] == [(f"creator:{kept}", "86")]
        assert json.loads(merges[0].details)["merged"] == abbreviated
        assert json.loads(splits[0].details)["new_creator"] == separate
        assert json.loads(splits[0].details)["name_forms"] == [["UBND tỉnh Bến Tre", "86"]]
        # Another province's admin may not decide on Vĩnh Long's creators.
        other = signed_in_client(app, "admin01-creators@example.vn", "archive_admin", province="01")
        refused = _decide(other, action="merge", first=kept, second=separate)
        assert refused.status_code == 303 and _id_of(app, "UBND tỉnh Bến Tre") == separate
        assert len(audit_rows(app, actions.CREATOR_MERGE)) == 1

        # Its admins say what no source sends: the dates of existence (ISAAR(CPF) 5.2.1), audited, in EAC-CPF.
        described = {"action": "describe", "first": kept, "entity_type": "corporateBody",
                     "dates_of_existence": " 1976 –  2025 "}
        assert _decide(other, **described).status_code == 303 and not audit_rows(app, actions.CREATOR_CHANGE)
        assert _decide(admin, **described).status_code == 303
        page = app.test_client().get(f"/creators/{kept}").text
        assert re.search(r'data-field="dates_of_existence">1976 – 2025</dd>', page)
        assert "Describe this creator" not in app.test_client().get(f"/creators/{kept}?lang=en").text
        changes = json.loads(audit_rows(app, actions.CREATOR_CHANGE)[0].details)["changes"]
        assert changes == {"dates_of_existence": ["", "1976 – 2025"]}
        eac = etree.fromstring(app.test_client().get(f"/api/v1/creators/{kept}/eac-cpf").data)
        eac_cpf_schema().assertValid(eac)
        assert eac.findtext(".//{urn:isbn:1-931666-33-4}existDates/{urn:isbn:1-931666-33-4}date") == "1976 – 2025"
        assert _decide(admin, **{**described, "entity_type": "robot"}).status_code == 303  # refused
        assert len(audit_rows(app, actions.CREATOR_CHANGE)) == 1
    finally:
        drop_indices(app)


def test_migration_0019_goes_down_and_up_again(database_url):
    from sqlalchemy import create_engine, inspect

    from tests.databases import alembic

    alembic(database_url, "upgrade", "0019")
    engine = create_engine(database_url)
    try:
        assert {"creators", "creator_names", "creators_kept_apart"} <= set(inspect(engine).get_table_names())
        alembic(database_url, "downgrade", "0018")
        assert not {"creators", "creator_names", "creators_kept_apart"} & set(inspect(engine).get_table_names())
        alembic(database_url, "upgrade", "0019")
        assert "creator_names" in inspect(engine).get_table_names()
    finally:
        engine.dispose()


def test_a_saved_search_of_a_creator_alerts_of_its_records_only(portal):
    from datetime import timezone

    from portal.auth.models import User
    from portal.opensearch import get_client, records_alias
    from portal.saved_searches.alerts import new_matches, saved_narrowing, saved_params
    from portal.saved_searches.models import SavedSearch
    from portal.search.service import SearchService
    from tests.accounts import create_user

    create_user(portal, "alerts-creators@example.vn", "reader")
    creator_id = _id_of(portal, UBND_BEN_TRE)
    with portal.test_request_context():
        db = database.get_db()
        user = db.query(User).filter(User.email == "alerts-creators@example.vn").one()
        saved = SavedSearch(query=f"creator_id={creator_id}&level=file")
        search = SearchService(get_client(), records_alias())
        result = new_matches(search, user, saved_params(saved), datetime(2000, 1, 1, tzinfo=timezone.utc),
                             datetime.now(timezone.utc), db, saved_narrowing(db, search, saved))
    assert {hit["id"] for hit in result.hits} == {f"vinhlong:VL.P10/{n}" for n in (1, 2, 3)}
