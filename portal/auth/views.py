"""Pages of local accounts: sign in and out, register, verify the e-mail, reset the password."""
from __future__ import annotations

import logging
import math
from datetime import datetime, timezone

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal.audit import actions as audit_actions
from portal.audit.log import AuditUnavailable, record_event
from portal.auth import accounts, tokens
from portal.auth.accounts import EmailTaken, Registration, SignInRefused
from portal.auth.forms import (DeleteAccountForm, ForgotPasswordForm, LoginForm, RegistrationForm,
                               ResendVerificationForm, ResetPasswordForm, SignOutForm)
from portal.auth.models import User
from portal.auth.safe_redirect import safe_next
from portal.auth.session import sign_in, sign_out
from portal.database import get_db
from portal.mail import MailNotSent, send_mail
from portal.personal_data import NOTICE_VERSION
from portal.personal_data.views import account_page

log = logging.getLogger(__name__)
auth_blueprint = Blueprint("auth", __name__)


@auth_blueprint.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    next_url = safe_next(request.values.get("next"))
    status = 200
    if form.validate_on_submit():
        try:
            user = accounts.authenticate(get_db(), form.email.data, form.password.data)
        except SignInRefused as refused:
            status = _refusal_status(refused)
            _on_sign_in_refused(refused, form.email.data)
        else:
            sign_in(user)
            _on_signed_in(user)
            return redirect(next_url)
    elif request.method == "POST":
        status = 400
    return render_template("auth/login.html", form=form, next_url=next_url), status


def _refusal_status(refused: SignInRefused) -> int:
    if refused.reason == "locked":
        minutes = max(1, math.ceil(refused.wait.total_seconds() / 60))
        flash(_("Too many wrong passwords for this account. Try again in %(minutes)d minutes, "
                "or reset the password.", minutes=minutes), "error")
        return 429
    if refused.reason == "unverified":
        flash(_("Confirm your e-mail address first: open the link we sent you. "
                "You can ask for a new link below."), "error")
        return 403
    if refused.reason == "inactive":
        flash(_("This account is disabled. Contact the archive."), "error")
        return 403
    flash(_("Wrong e-mail or password."), "error")
    return 401


def _on_sign_in_refused(refused: SignInRefused, email: str) -> None:
    """Hook for the audit log: a failed sign-in (never the password)."""
    log.info("sign-in refused (%s)", refused.reason)
    record_event(audit_actions.SIGN_IN_FAILED, outcome="denied",
                 actor=str(refused.user.id) if refused.user is not None else None,
                 details={"reason": refused.reason, "email": (email or "")[:320]})


def _on_signed_in(user: User) -> None:
    """Hook for the audit log: a successful sign-in."""
    log.info("user %s signed in", user.id)
    try:
        record_event(audit_actions.SIGN_IN, details={"method": "password"})
    except AuditUnavailable:
        sign_out()  # fail closed: a sign-in that cannot be recorded does not happen
        raise


@auth_blueprint.post("/logout")
def logout():
    form = SignOutForm()
    if not form.validate_on_submit():
        abort(400)
    record_event(audit_actions.SIGN_OUT)
    sign_out()
    flash(_("You are signed out."), "notice")
    return redirect(url_for("search.home"))


@auth_blueprint.route("/register", methods=["GET", "POST"])
def register():
    form = RegistrationForm()
    # Where the reader was going (the record they wanted to ask for): kept through the confirmation mail.
    next_url = safe_next(request.values.get("next"), default="")
    if not form.validate_on_submit():
        return (render_template("auth/register.html", form=form, notice_version=NOTICE_VERSION, next_url=next_url),
                (400 if request.method == "POST" else 200))
    registration = Registration(full_name=form.full_name.data, email=form.email.data,
                                password=form.password.data, id_number=form.id_number.data,
                                phone=form.phone.data, workplace=form.workplace.data,
                                consent_at=datetime.now(timezone.utc), consent_notice_version=NOTICE_VERSION)
    try:
        user = accounts.register(get_db(), registration)
    except EmailTaken:
        # Say the same as for a new account, so the form does not tell who is registered;
        # the owner of the address learns of it by mail.
        existing = accounts.find_by_email(get_db(), registration.email)
        mailed = _mail_account_exists(existing) if existing else True
    else:
        mailed = _mail_verification(user, next_url)
    return render_template("auth/check_mail.html", mailed=mailed, email=accounts.normalise_email(form.email.data))


@auth_blueprint.get("/verify/<token>")
def verify_email(token: str):
    try:
        payload = tokens.read_token(tokens.VERIFY_EMAIL, token)
    except tokens.InvalidToken:
        return render_template("auth/message.html", title=_("Link not valid"),
                               message=_("This confirmation link is expired or not valid. Ask for a new one."),
                               resend=True), 400
    user = get_db().get(User, payload.get("u"))
    if user is None or user.email != payload.get("e"):
        return render_template("auth/message.html", title=_("Link not valid"),
                               message=_("This confirmation link is expired or not valid. Ask for a new one."),
                               resend=True), 400
    accounts.mark_email_verified(get_db(), user)
    return render_template("auth/message.html", title=_("E-mail confirmed"),
                           message=_("Your e-mail address is confirmed. You can sign in now."), sign_in=True,
                           next_url=safe_next(payload.get("n"), default=""))


@auth_blueprint.route("/verify/resend", methods=["GET", "POST"])
def resend_verification():
    form = ResendVerificationForm()
    if form.validate_on_submit():
        user = accounts.find_by_email(get_db(), form.email.data)
        mailed = True
        if user is not None and user.email_verified_at is None and user.password_hash:
            mailed = _mail_verification(user)
        return render_template("auth/check_mail.html", mailed=mailed, email=accounts.normalise_email(form.email.data))
    return render_template("auth/email_form.html", form=form, title=_("Send the confirmation link again"),
                           action=url_for("auth.resend_verification")), (400 if request.method == "POST" else 200)


@auth_blueprint.route("/password/forgot", methods=["GET", "POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        user = accounts.find_by_email(get_db(), form.email.data)
        mailed = True
        if user is not None and user.password_hash and user.active:
            mailed = _mail_reset(user)
        return render_template("auth/check_mail.html", mailed=mailed, reset=True,
                               email=accounts.normalise_email(form.email.data))
    return render_template("auth/email_form.html", form=form, title=_("Forgot your password?"),
                           action=url_for("auth.forgot_password")), (400 if request.method == "POST" else 200)


@auth_blueprint.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    user = _user_of_reset_token(token)
    if user is None:
        return render_template("auth/message.html", title=_("Link not valid"),
                               message=_("This password reset link is expired, already used or not valid."),
                               forgot=True), 400
    form = ResetPasswordForm()
    if form.validate_on_submit():
        accounts.set_password(get_db(), user, form.password.data)
        accounts.mark_email_verified(get_db(), user)  # the mail reached its owner
        return render_template("auth/message.html", title=_("Password changed"),
                               message=_("Your password is changed. Sign in with the new one."), sign_in=True)
    return render_template("auth/reset.html", form=form), (400 if request.method == "POST" else 200)


@auth_blueprint.get("/account")
@login_required
def account():
    return account_page(current_user._get_current_object(), DeleteAccountForm())


def _user_of_reset_token(token: str) -> User | None:
    try:
        payload = tokens.read_token(tokens.RESET_PASSWORD, token)
    except tokens.InvalidToken:
        return None
    user = get_db().get(User, payload.get("u"))
    if user is None or payload.get("f") != accounts.reset_fingerprint(user):
        return None
    return user


def _mail_verification(user: User, next_url: str = "") -> bool:
    payload = {"u": user.id, "e": user.email, **({"n": next_url} if next_url else {})}
    link = url_for("auth.verify_email", token=tokens.make_token(tokens.VERIFY_EMAIL, payload), _external=True)
    body = render_template("auth/mail/verify.txt", user=user, link=link)
    return _send(user.email, _("Confirm your e-mail address"), body)


def _mail_reset(user: User) -> bool:
    token = tokens.make_token(tokens.RESET_PASSWORD, {"u": user.id, "f": accounts.reset_fingerprint(user)})
    body = render_template("auth/mail/reset.txt", user=user, link=url_for("auth.reset_password", token=token,
                                                                           _external=True))
    return _send(user.email, _("Reset your password"), body)


def _mail_account_exists(user: User) -> bool:
    body = render_template("auth/mail/already_registered.txt", user=user,
                           sign_in=url_for("auth.login", _external=True),
                           forgot=url_for("auth.forgot_password", _external=True))
    return _send(user.email, _("Someone tried to register with your e-mail address"), body)


def _send(to: str, subject: str, body: str) -> bool:
    try:
        send_mail(to, subject, body)
    except MailNotSent:
        return False
    return True
