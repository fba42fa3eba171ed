"""`/admin/sources/<id>/access`: a source's access policy — its wordings of access mapped to a level, the
level of records that state none, and the statements its last run met that nobody recognised, each
offered to be mapped. Who may manage the source changes it (portal/admin/access_policy.py)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.admin.access_policy import remove_rule, rules_of, set_rule, set_unstated, unrecognised_statements
from portal.admin.forms import RULE_LEVEL_LABELS, AccessRuleForm, RemoveRuleForm, UnstatedAccessForm
from portal.admin.sources import InvalidSource, SourceRefused
from portal.admin.views import managed_source
from portal.database import get_db
from portal.labels import province_label
from schema.tables import OTHER_STATEMENTS

access_policy_blueprint = Blueprint("access_policy", __name__, url_prefix="/admin/sources")


def _person() -> str:
    return current_user.email or current_user.full_name or f"user {current_user.get_id()}"


def _page(source, rule_form=None, unstated_form=None, status=200):
    unstated_form = unstated_form or UnstatedAccessForm(data={"level": source.unstated_access or "closed"})
    return render_template("admin/access_policy.html", source=source, rules=rules_of(source),
                           rule_form=rule_form or AccessRuleForm(), unstated_form=unstated_form,
                           unrecognised=unrecognised_statements(get_db(), source), other=OTHER_STATEMENTS,
                           level_labels=RULE_LEVEL_LABELS, province_label=province_label), status


def _saved(source, changed: bool):
    if not changed:
        flash(_("Nothing changed in the access policy of %(source)s.", source=source.id), "notice")
    elif source.enabled:
        flash(_("Access policy of %(source)s saved. Records already in the portal keep their level until they are "
                "read again: a full re-harvest is asked for.", source=source.id), "notice")
    else:
        flash(_("Access policy of %(source)s saved. It applies when the source is enabled and harvested in full.",
                source=source.id), "notice")
    return redirect(url_for("access_policy.show", source_id=source.id)), 303


@access_policy_blueprint.get("/<source_id>/access")
def show(source_id: str):
    _identity, source = managed_source(source_id)
    rule_form = AccessRuleForm(data={"statement": request.args.get("statement", "")[:1000]})
    return _page(source, rule_form=rule_form)


@access_policy_blueprint.post("/<source_id>/access/rules")
def add_rule(source_id: str):
    identity, source = managed_source(source_id)
    form = AccessRuleForm()
    if form.validate_on_submit():
        try:
            changed = set_rule(get_db(), identity, source, form.statement.data, form.level.data, _person())
        except InvalidSource as invalid:
            for name, (message, params) in invalid.problems.items():
                form[name].errors.append(_(message, **params))
        except SourceRefused:  # its province changed since the page was shown
            abort(403)
        else:
            return _saved(source, changed)
    return _page(source, rule_form=form, status=400)


@access_policy_blueprint.post("/<source_id>/access/rules/remove")
def drop_rule(source_id: str):
    identity, source = managed_source(source_id)
    form = RemoveRuleForm()
    if not form.validate_on_submit():
        abort(400)
    return _saved(source, remove_rule(get_db(), identity, source, form.statement.data, _person()))


@access_policy_blueprint.post("/<source_id>/access/unstated")
def unstated(source_id: str):
    identity, source = managed_source(source_id)
    form = UnstatedAccessForm()
    if not form.validate_on_submit():
        return _page(source, unstated_form=form, status=400)
    return _saved(source, set_unstated(get_db(), identity, source, form.level.data, _person()))
