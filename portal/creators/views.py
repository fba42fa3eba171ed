"""The creators' pages: `/creators` (the list, A–Z and by name), `/creators/<id>` (one creator, ISAAR(CPF)-
shaped, with its fonds in every province as the reader may see them), its EAC-CPF record
(`/api/v1/creators/<id>/eac-cpf`), and `/admin/creators` (the doubtful pairs, merged, split or kept apart by
admins, each decision audited)."""
from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from portal.access.guard import identity_allowed
from portal.access.identity import current_identity
from portal.audit import actions as audit_actions
from portal.audit.log import record_event
from portal.creators import decisions
from portal.creators.eac_cpf import eac_cpf
from portal.creators.models import MAX_CREATOR_ID, Creator, CreatorName
from portal.creators.names import ABBREVIATED, MARKS_DIFFER, SAME_NAME_OTHER_PROVINCE, likeness_key
from portal.creators.service import CreatorNotFound, CreatorService, live_creator, name_forms
from portal.database import get_db
from portal.opensearch import get_client, records_alias
from schema.folding import folded_words

creators_blueprint = Blueprint("creators", __name__)
MAX_LISTED = 200
ENTITY_TYPE_LABELS = {"corporateBody": _l("Corporate body (agency, organisation)"), "person": _l("Person"),
                      "family": _l("Family")}
DOUBT_REASON_LABELS = {
    SAME_NAME_OTHER_PROVINCE: _l("The same name in another province"),
    MARKS_DIFFER: _l("The names differ only in their diacritics"),
    ABBREVIATED: _l("One name abbreviates the other (UBND, HĐND, …)"),
}


@creators_blueprint.context_processor
def labels():
    return {"entity_type_label": lambda key: ENTITY_TYPE_LABELS.get(key, key),
            "doubt_reason_label": lambda key: DOUBT_REASON_LABELS.get(key, key)}


def _service() -> CreatorService:
    return CreatorService(get_client(), records_alias())


def _view_or_404(creator_id: int, action: str, channel: str):
    """The creator's view for the current reader; 404 when unknown, or when the reader may see none of it
    (audited as denied, like a record's)."""
    db = get_db()
    try:
        creator = live_creator(db, creator_id)
        return creator, _service().view(current_identity(), creator, name_forms(db, creator.id))
    except CreatorNotFound:
        record_event(action, target_id=str(creator_id), outcome="denied", details={"channel": channel})
        abort(404)


def _creator_shown(action: str, creator: Creator, channel: str) -> None:
    """The audit row for a creator shown or exported, committed before anything of it goes out; raises
    AuditUnavailable (→ 503, nothing shown) when it cannot be written."""
    record_event(action, target_id=str(creator.id), target_province=creator.province, details={"channel": channel})


@creators_blueprint.get("/creators/<int:creator_id>")
def creator_page(creator_id: int):
    creator, view = _view_or_404(creator_id, audit_actions.CREATOR_VIEW, "page")
    if creator.id != creator_id:  # merged into another: its address leads there (audited there)
        return redirect(url_for("creators.creator_page", creator_id=creator.id), code=301)
    _creator_shown(audit_actions.CREATOR_VIEW, creator, "page")
    db = get_db()
    forms = name_forms(db, creator.id)
    # Its admins see every name form, with what splits one out (names readers may not see included: theirs).
    may_decide = decisions.may_decide(current_identity(), {form.province for form in forms})
    return render_template("creators/creator.html", view=view, name_forms=forms if may_decide else [],
                           may_describe=may_decide, entity_types=ENTITY_TYPE_LABELS)


@creators_blueprint.get("/api/v1/creators/<int:creator_id>/eac-cpf")
def creator_eac_cpf(creator_id: int):
    creator, view = _view_or_404(creator_id, audit_actions.CREATOR_EXPORT, "eac-cpf")
    _creator_shown(audit_actions.CREATOR_EXPORT, creator, "eac-cpf")
    xml = eac_cpf(view, url_for("creators.creator_page", creator_id=creator.id, _external=True),
                  lambda record_id: url_for("records.record_page", record_id=record_id, _external=True))
    response = Response(xml, mimetype="application/xml")
    response.headers.set("Content-Disposition", "inline", filename=f"creator-{creator.id}.eac-cpf.xml")
    response.headers["Cache-Control"] = "private, no-store"  # what it holds depends on who asked
    return response


def _has_words(name: str, words: str) -> bool:
    """Every word typed begins a word of the name, in any order ("ubnd ben tre" finds UBND tỉnh Bến Tre)."""
    name_words = likeness_key(name).split()
    return all(any(word.startswith(typed) for word in name_words) for typed in words.split())


def _initial(name: str) -> str:
    words = folded_words(name)
    return words[:1].upper() if words[:1].isalpha() else "#"


@creators_blueprint.get("/creators")
def creators_list():
    """Creators whose records the reader may see, by letter or by words of their names (marks optional)."""
    db = get_db()
    letter = (request.args.get("letter") or "").strip().upper()[:1]
    words = likeness_key((request.args.get("q") or "")[:200])
    live = {c.id: c for c in db.scalars(select(Creator).where(Creator.merged_into.is_(None)))}
    forms = [form for form in db.scalars(select(CreatorName)) if form.creator_id in live]
    wanted = {form.creator_id for form in forms
              if _has_words(form.name, words) and (not letter or _initial(form.name) == letter)}
    visible = _service().visible_creator_ids(current_identity(), [f for f in forms if f.creator_id in wanted])
    found = sorted((live[i] for i in visible), key=lambda creator: folded_words(creator.name))
    letters = sorted({_initial(live[form.creator_id].name) for form in forms})
    return render_template("creators/list.html", creators=found[:MAX_LISTED], more=len(found) > MAX_LISTED,
                           letters=letters, letter=letter, q=request.args.get("q") or "",
                           may_decide=decisions.may_see_doubts(current_identity()))


def _number(typed: str | None) -> int:
    """A creator's or name form's number from a form; ValueError for anything the database could not hold."""
    number = int(typed or "")
    if not 0 <= number <= MAX_CREATOR_ID:
        raise ValueError(typed)
    return number


def _decided_by() -> str:
    return current_user.email or current_user.full_name or f"user {current_user.get_id()}"


@creators_blueprint.get("/admin/creators")
def doubts_page():
    identity = identity_allowed(decisions.may_see_doubts)
    db = get_db()
    doubts = decisions.doubts_for(db, identity)
    ids = {i for doubt in doubts for i in (doubt.first, doubt.second)}
    creators = {c.id: c for c in db.scalars(select(Creator).where(Creator.id.in_(ids)))} if ids else {}
    forms: dict[int, list[CreatorName]] = {}
    for form in db.scalars(select(CreatorName).where(CreatorName.creator_id.in_(ids))) if ids else []:
        forms.setdefault(form.creator_id, []).append(form)
    return render_template("creators/doubts.html", doubts=doubts, creators=creators, forms=forms)


@creators_blueprint.post("/admin/creators/decide")
def decide():
    """One decision: merge (the second into the first), keep apart, split a form out (the doubts page), or
    describe a creator (its page)."""
    identity = identity_allowed(decisions.may_see_doubts)
    db = get_db()
    action = request.form.get("action")
    try:
        first, second = _number(request.form.get("first")), _number(request.form.get("second") or "0")
        if action == "merge":
            kept = decisions.merge(db, identity, first, second, _decided_by())
            flash(_("Merged into %(name)s.", name=kept.name), "notice")
        elif action == "keep_apart":
            decisions.keep_apart(db, identity, first, second, _decided_by())
            flash(_("The two creators are kept apart."), "notice")
        elif action == "describe":
            if decisions.describe(db, identity, first, request.form.get("entity_type", ""),
                                  request.form.get("dates_of_existence", ""), _decided_by()):
                flash(_("The description of the creator is saved."), "notice")
            else:
                flash(_("Nothing was changed."), "notice")
        elif action == "split":
            new = decisions.split(db, identity, first, _number(request.form.get("form")), _decided_by())
            flash(_("%(name)s is now a creator of its own.", name=new.name), "notice")
        else:
            abort(400)
    except ValueError:
        abort(400)
    except decisions.DecisionRefused as refused:
        db.rollback()
        flash(_("This decision cannot be made: %(reason)s.", reason=_(str(refused))), "error")
        return redirect(url_for("creators.doubts_page"), code=303)
    return redirect(request.form.get("back") if (request.form.get("back") or "").startswith("/creators/")
                    else url_for("creators.doubts_page"), code=303)
