"""The Flask application: search, record pages, access control, the audit log.

One blueprint a concern, registered here. It imports `schema` and the indexer's public entry
points (`indexer.harvest`) for the harvest command; never the indexer's internals.
"""
from __future__ import annotations

from flask import Flask

from portal.config import load_config, require_secret_key


def create_app(overrides: dict | None = None) -> Flask:
    app = Flask(__name__, template_folder="../templates", static_folder="../static",
                instance_relative_config=True)
    app.config.update(load_config(app.instance_path))
    if overrides:
        app.config.update(overrides)
    from portal import logging_setup

    logging_setup.init_app(app)  # first: the request id is set before any other hook runs
    require_secret_key(app.config, app.debug)
    if app.config.get("PROXY_FIX_HOPS"):
        # Behind that many proxies, the client's address, scheme and host are the ones they forward
        # (rate limits, audit rows, session protection and external URLs all read them); with none,
        # X-Forwarded-* headers are ignored.
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["PROXY_FIX_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    from portal import (audit, auth, cli, database, errors, health, i18n, menu, metrics, opensearch,
                        personal_data, security_headers)
    from portal.admin.users import users_admin_blueprint
    from portal.admin.policy_views import access_policy_blueprint
    from portal.admin.views import admin_blueprint
    from portal.access import views as access_views
    from portal.api_docs.views import api_docs_blueprint
    from portal.archives.views import archives_blueprint
    from portal.auth.oidc import oidc_blueprint
    from portal.creators.views import creators_blueprint
    from portal.export.views import export_blueprint, limit_finding_aid_exports
    from portal.oai import views as oai_views
    from portal.personal_data.views import limit_delete_attempts, personal_data_blueprint
    from portal.records.views import records_blueprint
    from portal.saved_searches import views as saved_searches_views
    from portal.search.views import search_blueprint

    personal_data.init_app(app)  # first: without its key the portal does not start
    database.init_app(app)
    opensearch.init_app(app)
    i18n.init_app(app)
    errors.init_app(app)
    auth.init_app(app)
    cli.init_app(app)
    audit.init_app(app)
    app.register_blueprint(search_blueprint)
    app.register_blueprint(records_blueprint)
    app.register_blueprint(archives_blueprint)
    app.register_blueprint(creators_blueprint)
    app.register_blueprint(export_blueprint)
    app.register_blueprint(api_docs_blueprint)
    app.register_blueprint(health.health_blueprint)
    app.register_blueprint(metrics.metrics_blueprint)
    metrics.init_app(app)
    app.register_blueprint(users_admin_blueprint)
    app.register_blueprint(oidc_blueprint)
    app.register_blueprint(admin_blueprint)
    app.register_blueprint(access_policy_blueprint)
    app.register_blueprint(personal_data_blueprint)
    limit_delete_attempts(app)
    oai_views.init_app(app)
    limit_finding_aid_exports(app)
    access_views.init_app(app)
    saved_searches_views.init_app(app)
    menu.init_app(app)
    security_headers.init_app(app)
    return app
