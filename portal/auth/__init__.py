"""Who is signed in: local reader accounts, OpenID Connect sign-in for officials, sessions.

May import `schema`, `portal.access`, `portal.database` and `portal.personal_data` (the ID
number's encryption, the account page's personal data); the rest of the portal asks
`portal.access.identity.current_identity()`, never this package, who the request acts as.
"""
from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect


def init_app(app: Flask) -> None:
    from portal.auth.models import User
    from portal.auth.views import auth_blueprint
    from portal.database import get_db

    login_manager = LoginManager()
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Sign in to see this page.")
    login_manager.login_message_category = "notice"
    # "strong": a session cookie replayed from another browser (address or agent) is dropped.
    login_manager.session_protection = "strong"

    @login_manager.user_loader
    def load_user(user_id: str) -> User | None:
        try:
            user = get_db().get(User, int(user_id))
        except (TypeError, ValueError):
            return None
        return user if user is not None and user.active else None

    login_manager.init_app(app)

    @app.context_processor
    def account_menu():
        from portal.access.identity import current_identity
        from portal.auth.forms import SignOutForm
        from portal.labels import province_label, role_label

        identity = current_identity()
        return {"identity": identity, "role_label": role_label, "province_label": province_label,
                "sign_out_form": SignOutForm() if identity.user_id else None,
                "has_endpoint": lambda name: name in app.view_functions}

    CSRFProtect(app)
    app.register_blueprint(auth_blueprint)

    # One limiter per app, so each app (and each test) counts its own attempts.
    limiter = Limiter(get_remote_address, app=app, storage_uri=app.config["RATELIMIT_STORAGE_URI"],
                      default_limits=[], headers_enabled=True)
    app.extensions["portal_limiter"] = limiter
    for endpoint, limit in (("auth.login", app.config["RATELIMIT_SIGN_IN"]),
                            ("auth.register", app.config["RATELIMIT_MAIL_FORMS"]),
                            ("auth.forgot_password", app.config["RATELIMIT_MAIL_FORMS"]),
                            ("auth.resend_verification", app.config["RATELIMIT_MAIL_FORMS"])):
        app.view_functions[endpoint] = limiter.limit(limit, methods=["POST"])(app.view_functions[endpoint])
