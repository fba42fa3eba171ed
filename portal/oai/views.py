"""`/oai`: the OAI-PMH endpoint (GET and POST, as the protocol allows), rate-limited per client address like
the forms a script would hammer (`RATELIMIT_OAI`; past it, 503 with Retry-After, which harvesters honour), its
answers cacheable for `OAI_CACHE_SECONDS` (the same for everyone: only what anonymous readers may see), and
audited as searches and record views of the `oai` channel."""
from __future__ import annotations

from flask import Blueprint, Flask, Response, current_app, request, url_for
from flask_limiter.errors import RateLimitExceeded

from portal.access.identity import ANONYMOUS
from portal.audit import actions as audit_actions
from portal.audit.log import record_event
from portal.metrics import SEARCHES
from portal.oai.catalogue import Catalogue
from portal.oai.protocol import Provider, Settings
from portal.opensearch import get_client, records_alias
from schema.index import tombstone_index_name

oai_blueprint = Blueprint("oai", __name__)


def _settings() -> Settings:
    config = current_app.config
    return Settings(
        base_url=url_for("oai.endpoint", _external=True),
        repository_name=config["OAI_REPOSITORY_NAME"],
        repository_identifier=config["OAI_REPOSITORY_IDENTIFIER"],
        admin_email=config["OAI_ADMIN_EMAIL"] or config["MAIL_SENDER"],
        secret_key=config["SECRET_KEY"],
        token_seconds=config["OAI_TOKEN_SECONDS"],
        page_size=config["OAI_PAGE_SIZE"],
        record_url=lambda record_id: url_for("records.record_page", record_id=record_id, _external=True),
        file_url=lambda record_id, number: url_for("records.download_file", record_id=record_id, number=number,
                                                   _external=True),
    )


@oai_blueprint.route("/oai", methods=["GET", "POST"])
def endpoint():
    arguments = {name: request.values.getlist(name) for name in request.values}
    catalogue = Catalogue(get_client(), records_alias(),
                          tombstone_index_name(current_app.config["OPENSEARCH_INDEX_PREFIX"]), ANONYMOUS)
    answer = Provider(catalogue, _settings()).answer(arguments)
    if answer.audit:
        kind, details = answer.audit
        details = {"channel": "oai", **{k: v for k, v in details.items() if v is not None}}
        if kind == "record":
            record_event(audit_actions.RECORD_VIEW, target_id=details.pop("record"),
                         target_province=details.pop("province", None), details=details)
        else:
            SEARCHES.labels("oai").inc()
            record_event(audit_actions.SEARCH, details=details)
    return Response(answer.xml, content_type="text/xml; charset=utf-8",
                    headers={"Cache-Control": f"public, max-age={current_app.config['OAI_CACHE_SECONDS']}"})


@oai_blueprint.errorhandler(RateLimitExceeded)
def too_many_requests(error: RateLimitExceeded):
    """OAI-PMH's flow control is 503 with Retry-After (the protocol's §3.1.2.2), not 429."""
    retry_after = int(error.limit.limit.get_expiry()) if getattr(error, "limit", None) else 60
    return Response("Too many requests: retry later.\n", status=503, content_type="text/plain; charset=utf-8",
                    headers={"Retry-After": str(retry_after)})


def init_app(app: Flask) -> None:
    app.register_blueprint(oai_blueprint)
    view = app.view_functions["oai.endpoint"]
    app.extensions["csrf"].exempt(view)  # harvesters POST without a form of ours
    # The limit is read at each request, so an operator's (or a test's) setting holds without a new app.
    app.view_functions["oai.endpoint"] = app.extensions["portal_limiter"].limit(
        lambda: current_app.config["RATELIMIT_OAI"])(view)
