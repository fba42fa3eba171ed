"""Officials sign in through the government identity provider with OpenID Connect (DESIGN §6).

Authorization code flow with PKCE (S256), state and nonce (Authlib keeps them in the session and
checks them on the way back), the ID token's signature and claims validated against the issuer's
published keys, and RP-initiated logout at the provider's end_session_endpoint. The provider is
named by `OIDC_ISSUER`; without it these pages say that SSO is not configured. The claims give
role and province through `portal.auth.claims`; the local `User` is created at the first sign-in
and brought up to date at every later one.
"""
from __future__ import annotations

import logging
import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.base_client import MismatchingStateError, OAuthError
from authlib.integrations.flask_client import OAuth
from flask import Blueprint, Flask, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from joserfc.errors import JoseError
from sqlalchemy import select

from portal.audit import actions as audit_actions
from portal.audit.log import AuditUnavailable, record_event
from portal.auth.claims import ClaimMapping, OfficialClaims, apply_claims, read_official_claims
from portal.auth.models import User
from portal.auth.safe_redirect import safe_next
from portal.auth.session import sign_in, sign_out
from portal.database import get_db

log = logging.getLogger(__name__)

oidc_blueprint = Blueprint("oidc", __name__, url_prefix="/auth/oidc")

CLIENT_NAME = "oidc"
_NEXT_KEY = "oidc_next"
_ID_TOKEN_KEY = "oidc_id_token"


class SignInRefused(Exception):
    """The sign-in response cannot be trusted; nobody is signed in. `status` is the answer's code."""

    def __init__(self, status: int, message: str, detail: str):
        super().__init__(detail)
        self.status = status
        self.message = message


@oidc_blueprint.record_once
def _set_up(state) -> None:
    init_oidc(state.app)


def init_oidc(app: Flask) -> None:
    """Register the identity provider's client from the configuration, if an issuer is set."""
    mapping = ClaimMapping.from_config(app.config)  # a bad OIDC_GROUP_ROLES fails here, at start-up
    app.extensions["oidc_claim_mapping"] = mapping
    app.extensions["oidc_client"] = None

    @app.context_processor
    def sso_available():
        return {"sso_configured": app.extensions["oidc_client"] is not None}

    issuer = (app.config.get("OIDC_ISSUER") or "").rstrip("/")
    if not issuer:
        return
    oauth = OAuth(app)
    app.extensions["oidc_client"] = oauth.register(
        CLIENT_NAME,
        client_id=app.config.get("OIDC_CLIENT_ID"),
        client_secret=app.config.get("OIDC_CLIENT_SECRET"),
        server_metadata_url=f"{issuer}/.well-known/openid-configuration",
        client_kwargs={"scope": app.config.get("OIDC_SCOPE") or "openid profile email",
                       "code_challenge_method": "S256",
                       "timeout": app.config.get("OIDC_TIMEOUT", 10)},
    )


def _client():
    client = current_app.extensions.get("oidc_client")
    if client is None:
        raise SignInRefused(404, _("Sign-in with the government SSO is not configured on this portal."),
                            "OIDC_ISSUER is not set")
    return client


def _metadata(client) -> dict:
    """The issuer's metadata; it must name the issuer we were configured with (no mix-up)."""
    try:
        metadata = client.load_server_metadata()
    except (requests.RequestException, ValueError) as error:
        raise SignInRefused(503, _("The government sign-in service cannot be reached. Please try again later."),
                            f"metadata unavailable: {error}") from error
    expected = current_app.config["OIDC_ISSUER"].rstrip("/")
    if (metadata.get("issuer") or "").rstrip("/") != expected:
        client.server_metadata = {}  # fetch again next time
        raise SignInRefused(503, _("The government sign-in service is misconfigured."),
                            f"issuer mismatch: metadata says {metadata.get('issuer')!r}, configured {expected!r}")
    return metadata


def _on_sign_in_refused(error: SignInRefused) -> None:
    """Hook for the audit log: a refused SSO sign-in (the reason, never a token)."""
    log.warning("OIDC sign-in refused (%s): %s", error.status, error)
    try:
        record_event(audit_actions.SIGN_IN_FAILED, outcome="denied",
                     details={"method": "oidc", "status": error.status, "reason": str(error)[:500]})
    except AuditUnavailable:  # nobody was signed in either way; the operator's log keeps the refusal
        log.error("refused OIDC sign-in could not be recorded in the audit log")


def _on_signed_in(user: User, official: OfficialClaims) -> None:
    """Hook for the audit log: an official signed in, with the role and province the claims gave."""
    log.info("official %s (user %s) signed in through OIDC: roles %s, province %s",
             official.subject, user.id, user.roles, user.province)
    try:
        record_event(audit_actions.SIGN_IN, details={"method": "oidc", "issuer": official.issuer,
                                                     "subject": official.subject})
    except AuditUnavailable:
        sign_out()  # fail closed: a sign-in that cannot be recorded does not happen
        raise


@oidc_blueprint.errorhandler(SignInRefused)
def _refused(error: SignInRefused):
    _on_sign_in_refused(error)
    return render_template("auth/oidc_error.html", status=error.status, message=error.message), error.status


@oidc_blueprint.get("/login")
def login():
    client = _client()
    _metadata(client)
    session[_NEXT_KEY] = safe_next(request.args.get("next"), default=url_for("search.home"))
    return client.authorize_redirect(url_for("oidc.callback", _external=True), ui_locales=str(get_locale()))


@oidc_blueprint.get("/callback")
def callback():
    client = _client()
    _metadata(client)
    try:
        token = client.authorize_access_token()
    except MismatchingStateError as error:
        raise SignInRefused(400, _("This sign-in response does not belong to your browser session: it may have "
                                   "expired or been used already. Please sign in again."), repr(error)) from error
    except OAuthError as error:
        # The provider's own refusal (the official cancelled, or the code was refused).
        raise SignInRefused(400, _("The government sign-in service did not sign you in. Please try again."),
                            f"{error.error}: {error.description}") from error
    except (JoseError, AuthlibBaseError, ValueError) as error:
        raise SignInRefused(401, _("Your identity could not be verified. Nobody has been signed in."),
                            f"ID token rejected: {error!r}") from error
    except requests.RequestException as error:
        raise SignInRefused(503, _("The government sign-in service cannot be reached. Please try again later."),
                            f"token endpoint unavailable: {error}") from error
    claims = token.get("userinfo")
    if not claims or not token.get("id_token"):
        # Authlib validates the ID token only when there is one: without it there is no identity.
        raise SignInRefused(401, _("Your identity could not be verified. Nobody has been signed in."),
                            "no ID token in the token response")
    try:
        official = read_official_claims(claims, current_app.extensions["oidc_claim_mapping"])
    except ValueError as error:
        raise SignInRefused(401, _("Your identity could not be verified. Nobody has been signed in."),
                            str(error)) from error
    user = record_official(official)
    if not user.active:
        raise SignInRefused(403, _("This account has been disabled on the portal."),
                            f"inactive user {user.id} signed in through OIDC")
    next_path = session.pop(_NEXT_KEY, None)
    sign_in(user)  # a fresh session: anything kept in the old one is gone from here on
    session[_ID_TOKEN_KEY] = token["id_token"]  # the hint for RP-initiated logout
    _on_signed_in(user, official)
    return redirect(safe_next(next_path, default=url_for("search.home")))


def record_official(official: OfficialClaims) -> User:
    """The local user for these claims: created at the first sign-in, updated at every later one."""
    db = get_db()
    user = db.scalar(select(User).where(User.oidc_issuer == official.issuer,
                                        User.oidc_subject == official.subject))
    if user is None:
        user = User(full_name=official.full_name or official.subject, roles="reader")
        db.add(user)
    before = (user.roles, user.province)
    apply_claims(user, official)
    db.flush()
    if official.email != user.email:
        # Never link to (or take over) another account by its e-mail address: keep ours empty instead.
        taken = official.email and db.scalar(
            select(User.id).where(User.email == official.email, User.id != user.id))
        user.email = None if taken else official.email
    db.commit()
    if (user.roles, user.province) != before:  # the identity provider's claims changed the role
        # Recorded after the commit (SQLite has one writer); a change that cannot be recorded is undone.
        try:
            # The official is signing in, not signed in yet: the row names them, and the claims as the cause.
            record_event(audit_actions.ROLE_CHANGE, target_id=f"user:{user.id}", target_province=user.province,
                         actor=str(user.id),
                         details={"change": "oidc_claims", "by": "identity provider claims at sign-in",
                                  "issuer": official.issuer, "old_roles": before[0], "old_province": before[1],
                                  "new_roles": user.roles, "new_province": user.province})
        except AuditUnavailable:
            user.roles, user.province = before[0] or "reader", before[1]
            db.commit()
            raise
    return user


@oidc_blueprint.post("/logout")
def logout():
    """Sign out here, then at the identity provider (RP-initiated logout), then back to the portal."""
    id_token = session.get(_ID_TOKEN_KEY)
    record_event(audit_actions.SIGN_OUT, details={"method": "oidc"})
    sign_out()
    session.pop(_ID_TOKEN_KEY, None)
    client = current_app.extensions.get("oidc_client")
    if client is None or not id_token:
        return redirect(url_for("search.home"))
    try:
        _metadata(client)
    except SignInRefused as error:
        log.warning("RP-initiated logout skipped: %s", error)
        return redirect(url_for("oidc.logged_out"))
    return client.logout_redirect(post_logout_redirect_uri=url_for("oidc.logged_out", _external=True),
                                  id_token_hint=id_token, ui_locales=str(get_locale()))


@oidc_blueprint.get("/logged-out")
def logged_out():
    client = current_app.extensions.get("oidc_client")
    if client is not None and request.args.get("state"):
        try:
            client.validate_logout_response()
        except OAuthError as error:  # the sign-out has happened here anyway; nothing to protect
            log.info("logout response with an unknown state: %s", error)
    flash(_("You are signed out of the portal and of the government single sign-on."), "notice")
    return redirect(url_for("search.home"))
