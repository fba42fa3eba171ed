"""`/admin/users`: a national admin or a province's archive admin gives local users roles."""
from __future__ import annotations

import logging

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField
from wtforms.validators import DataRequired

from portal.access.guard import identity_allowed
from portal.access.roles import MANAGE_ALL
from portal.audit import actions as audit_actions
from portal.audit.log import AuditUnavailable, record_event
from portal.auth.models import User
from portal.auth.role_changes import (RoleChange, RoleChangeRefused, assignable_roles, change_role,
                                      manageable_users, may_manage_users)
from portal.database import get_db
from portal.labels import province_label, role_label
from schema.provinces import current_provinces

log = logging.getLogger(__name__)
users_admin_blueprint = Blueprint("admin_users", __name__, url_prefix="/admin/users")

REFUSALS = {
    "official": _l("This official's role comes from the government sign-on; change it there."),
    "self": _l("You cannot change your own role."),
    "role": _l("You may not give that role."),
    "province": _l("Choose the province for a staff role."),
    "user": _l("This user belongs to another province or has a role you may not change."),
}


class RoleForm(FlaskForm):
    role = SelectField(_l("Role"), validators=[DataRequired()])
    province = SelectField(_l("Province"), validate_choice=False)


def _role_form(identity) -> RoleForm:
    form = RoleForm()
    form.role.choices = [(role, role_label(role)) for role in assignable_roles(identity)]
    if identity.can(MANAGE_ALL):
        form.province.choices = [("", "—")] + [(code, province_label(code)) for code in sorted(current_provinces())]
    else:
        form.province.choices = [(identity.province, province_label(identity.province))]
    return form


def _manager():
    """The identity when it may manage users (else to sign in, or 403)."""
    return identity_allowed(may_manage_users)


@users_admin_blueprint.get("")
def list_users():
    identity = _manager()
    search = (request.args.get("q") or "").strip()[:100] or None
    users = manageable_users(get_db(), identity, search)
    return render_template("admin/users.html", users=users, form=_role_form(identity), search=search,
                           province_label=province_label, role_label=role_label)


@users_admin_blueprint.post("/<int:user_id>/role")
def set_role(user_id: int):
    identity = _manager()
    form = _role_form(identity)
    user = get_db().get(User, user_id)
    if user is None:
        abort(404)
    if not form.validate_on_submit():
        flash(_("Choose a role."), "error")
        return redirect(url_for("admin_users.list_users"))
    try:
        change = change_role(get_db(), identity, user, form.role.data, form.province.data or None)
    except RoleChangeRefused as refused:
        record_event(audit_actions.ROLE_CHANGE, target_id=f"user:{user.id}", target_province=user.province,
                     outcome="denied", details={"role": form.role.data, "reason": refused.reason})
        flash(str(REFUSALS[refused.reason]), "error")
        return redirect(url_for("admin_users.list_users")), 303
    _on_role_changed(change)
    flash(_("%(name)s is now: %(role)s.", name=user.full_name or user.email, role=role_label(change.new_roles)),
          "notice")
    return redirect(url_for("admin_users.list_users", q=user.email)), 303


def _on_role_changed(change: RoleChange) -> None:
    """Hook for the audit log: who got which role, from what."""
    log.info("user %s role %s/%s → %s/%s", change.user_id, change.old_roles, change.old_province,
             change.new_roles, change.new_province)
    try:
        record_event(audit_actions.ROLE_CHANGE, target_id=f"user:{change.user_id}",
                     target_province=change.new_province or change.old_province, details={
                         "old_roles": change.old_roles, "old_province": change.old_province,
                         "new_roles": change.new_roles, "new_province": change.new_province})
    except AuditUnavailable:
        # Fail closed: a role change that cannot be recorded is undone.
        user = get_db().get(User, change.user_id)
        user.roles, user.province = change.old_roles, change.old_province
        get_db().commit()
        raise
