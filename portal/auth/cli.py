"""`flask users …`: local accounts from the command line — the first national admin of a new
installation, and the demo's accounts. Passwords are asked for, or read from the environment
variable PORTAL_USER_PASSWORD (for scripts); never taken as an argument, which `ps` would show."""
from __future__ import annotations

import os
from datetime import datetime, timezone

import click
from flask.cli import with_appcontext

from portal.access.identity import valid_province
from portal.access.roles import ROLE_PERMISSIONS
from portal.audit import actions as audit_actions
from portal.audit.log import record_command_event
from portal.auth import accounts
from portal.auth.passwords import password_problems
from portal.database import get_db

users_cli = click.Group("users", help="Local user accounts.")
ROLES = sorted(set(ROLE_PERMISSIONS) - {"anonymous"})


@users_cli.command("add")
@click.argument("email")
@click.option("--name", "full_name", default="", help="Full name shown in the portal.")
@click.option("--role", type=click.Choice(ROLES), default="reader", show_default=True)
@click.option("--province", default=None, help="Province code (e.g. 86) for staff and archive admins.")
@click.option("--if-missing", is_flag=True, help="Do nothing when the address already has an account.")
@with_appcontext
def users_add(email, full_name, role, province, if_missing):
    """Create a confirmed local account with a role."""
    db = get_db()
    if accounts.find_by_email(db, email) is not None:
        if if_missing:
            click.echo(f"{email}: already there")
            return
        raise click.ClickException(f"{email} already has an account")
    if role in ("staff", "archive_admin") and valid_province(province) is None:
        raise click.ClickException("staff and archive admins need --province, one of the 34 codes (e.g. 86)")
    password = os.environ.get("PORTAL_USER_PASSWORD") or click.prompt(
        "Password", hide_input=True, confirmation_prompt=True)
    problems = password_problems(password, email=email)
    if problems:
        raise click.ClickException(" ".join(problems))
    user = accounts.register(db, accounts.Registration(full_name=full_name or email.split("@")[0],
                                                       email=email, password=password))
    user.roles = role
    user.province = valid_province(province) if role in ("staff", "archive_admin") else None
    user.email_verified_at = datetime.now(timezone.utc)
    record_command_event(audit_actions.ROLE_CHANGE, target_id=f"user:{user.id}", target_province=user.province,
                         details={"change": "create", "new_roles": role, "new_province": user.province})
    db.commit()
    click.echo(f"{email}: {role}{' of ' + user.province if user.province else ''}")


@users_cli.command("list")
@with_appcontext
def users_list():
    """Every account with its role and province."""
    from sqlalchemy import select

    from portal.auth.models import User

    for user in get_db().scalars(select(User).order_by(User.id)):
        kind = "sso" if user.is_official else "local"
        click.echo(f"{user.id:>5}  {kind:<5} {user.email or '-':<36} {user.roles:<16} {user.province or ''}")


@users_cli.command("rotate-key")
@with_appcontext
def users_rotate_key():
    """Re-encrypt every ID number with the first key of PERSONAL_DATA_KEY (after putting a new key first)."""
    from sqlalchemy import select

    from portal.audit.log import AuditUnavailable, record_event_in_transaction
    from portal.auth.models import User
    from portal.personal_data.encryption import Undecryptable, cipher

    db = get_db()
    users = list(db.scalars(select(User).where(User.id_number_encrypted.is_not(None)).order_by(User.id)))
    rotated, unreadable = {}, []
    for user in users:
        try:
            rotated[user.id] = cipher().rotate(user.id_number_encrypted)
        except Undecryptable:
            unreadable.append(user.id)
    if unreadable:
        shown = ", ".join(str(user_id) for user_id in unreadable[:20])
        raise click.ClickException(
            f"{len(unreadable)} ID number(s) open with no key of PERSONAL_DATA_KEY (users {shown}); nothing was "
            "changed. Keep the old key after the new one (PERSONAL_DATA_KEY=new,old) and run this again.")
    for user in users:
        user.id_number_encrypted = rotated[user.id]
    db.flush()
    try:
        record_event_in_transaction(db, audit_actions.SETTING_CHANGE, target_id="personal_data_key",
                                    details={"change": "rotate-key", "rows": len(users)})
    except AuditUnavailable as error:
        db.rollback()
        raise click.ClickException(f"refused: the audit log cannot be written ({error})") from error
    db.commit()
    click.echo(f"{len(users)} ID number(s) re-encrypted with the first key; the other keys may now be removed")
