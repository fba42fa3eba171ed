"""The search pages (`/`, `/search`) and the search API (`GET /api/v1/search`)."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify, render_template, request, url_for
from flask_babel import lazy_gettext as _l

from portal.access import clock
from portal.access.identity import current_identity
from portal.archives.service import all_archives
from portal.audit import actions as audit_actions
from portal.audit.log import described, record_event
from portal.creators.service import CreatorService, creator_search_filter
from portal.database import get_db
from portal.metrics import SEARCHES
from portal.saved_searches.forms import SaveSearchForm
from portal.saved_searches.service import canonical_query, remember_search
from portal.opensearch import get_client, records_alias
from portal.search.active_filters import active_filters, chosen_first, creator_chip, decade_chosen
from portal.search.params import SearchParamError, SearchParams, parse_search_params
from portal.search.service import SearchService
from portal.search.suggest import SuggestService
from schema.folding import without_diacritics

search_blueprint = Blueprint("search", __name__)

# What the page tells a person whose search parameters were refused, by parameter.
PARAM_ERROR_MESSAGES = {
    "q": _l("Check your query: quotation marks must come in pairs, and it may have at most 32 words "
            "and 500 characters."),
    "page": _l("That page of results cannot be shown; only the first 10,000 results can be paged through."),
    "size": _l("That page of results cannot be shown; only the first 10,000 results can be paged through."),
    "from": _l("Dates take a year or a date such as 1976 or 1976-03-05, and the start must come before the end."),
    "to": _l("Dates take a year or a date such as 1976 or 1976-03-05, and the start must come before the end."),
}


def _service() -> SearchService:
    return SearchService(get_client(), records_alias())


def _params() -> SearchParams:
    return parse_search_params(request.args, current_app.config["SEARCH_MAX_PAGE_SIZE"],
                               current_app.config["SEARCH_MAX_WINDOW"])


def _described(params: SearchParams) -> dict:
    """The search as its audit row keeps it, the creator it was narrowed to included."""
    creator_id = (request.args.get("creator_id") or "").strip()
    return {**described(params), **({"creator_id": creator_id[:20]} if creator_id else {})}


def _creator_filter():
    """The records of one creator (`creator_id`, portal.creators): extra filters, and the creator."""
    found, creator = creator_search_filter(get_db(), CreatorService(get_client(), records_alias()),
                                           request.args.get("creator_id"))
    return (found,) if found else (), creator


@search_blueprint.get("/api/v1/search")
def api_search():
    try:
        params = _params()
        by_creator, _creator = _creator_filter()
    except SearchParamError as error:
        return jsonify(error={"code": "bad_request", "parameter": error.parameter,
                              "message": str(error)}), 400
    result = _service().search(current_identity(), params, with_spelling=True, extra_filters=by_creator)
    SEARCHES.labels("api").inc()
    record_event(audit_actions.SEARCH, details={"channel": "api", "params": _described(params), "hits": result.total})
    return jsonify(result.as_api())


@search_blueprint.get("/")
def home():
    result = _service().search(current_identity(), SearchParams(size=0, sort="reference"))
    return render_template("search/home.html", result=result, archives=all_archives(get_db()))


@search_blueprint.get("/search")
def search_page():
    notice, params = None, None
    try:
        params = _params()
        by_creator, creator = _creator_filter()
    except SearchParamError as error:
        if error.parameter == "q" and request.args.get("q", "").count('"') % 2:
            # A person who typed one quotation mark too many still gets results: the page
            # searches without the quotation marks and says so (the API answers 400).
            args = request.args.copy()
            args["q"] = args["q"].replace('"', " ")
            notice = _l("Your query has an unpaired quotation mark; it was searched without quotation marks.")
            try:
                params = parse_search_params(args, current_app.config["SEARCH_MAX_PAGE_SIZE"],
                                             current_app.config["SEARCH_MAX_WINDOW"])
                by_creator, creator = _creator_filter()
            except SearchParamError:
                params = None
        if params is None or notice is None:
            return render_template("search/results.html", result=None, params=None,
                                   error=PARAM_ERROR_MESSAGES.get(error.parameter,
                                                                  _l("A filter in this address is not valid.")),
                                   q=request.args.get("q", "")), 400
    identity = current_identity()
    result = _service().search(identity, params, with_twins=True, with_spelling=True, extra_filters=by_creator)
    SEARCHES.labels("page").inc()
    record_event(audit_actions.SEARCH, details={"channel": "page", "params": _described(params), "hits": result.total})
    query = canonical_query(request.args)
    save_form = None
    if identity.user_id:  # a signed-in reader's history, and the form that saves the search
        remember_search(get_db(), int(identity.user_id), query, result.total, clock.now())
        save_form = SaveSearchForm(formdata=None, prefix="save", query=query, name=params.q)
    filters = active_filters(params, result.facets)
    if by_creator:  # its name only when the reader sees some of its records: a name alone must not leak
        filters.append(creator_chip(creator if result.total else None, request.args["creator_id"]))
    return render_template("search/results.html", result=result, params=params, error=None,
                           notice=notice, q=params.q, filters=filters,
                           q_without_diacritics=without_diacritics(params.q), save_form=save_form)



@search_blueprint.app_context_processor
def url_helpers():
    """Links that keep the current search and change one thing: shareable, bookmarkable URLs."""

    def toggle_url(parameter: str, value: str) -> str:
        args = request.args.copy()
        values = args.getlist(parameter)
        args.setlist(parameter, [v for v in values if v != value] if value in values else values + [value])
        args.pop("page", None)
        return url_for("search.search_page", **args.to_dict(flat=False))

    def replace_url(**changes) -> str:
        args = request.args.copy()
        for key, value in changes.items():
            if value is None:
                args.pop(key, None)  # None removes the parameter
            else:
                args[key] = value
        if "page" not in changes:
            args.pop("page", None)
        return url_for("search.search_page", **args.to_dict(flat=False))

    def clear_filters_url() -> str:
        """The same words, sort and language, without any filter."""
        kept = {key: request.args.get(key) for key in ("q", "sort", "lang") if request.args.get(key)}
        return url_for("search.search_page", **kept)

    return {"toggle_url": toggle_url, "replace_url": replace_url, "clear_filters_url": clear_filters_url,
            "chosen_first": chosen_first, "decade_chosen": decade_chosen}


@search_blueprint.get("/api/v1/suggest")
def api_suggest():
    service = SuggestService(get_client(), records_alias())
    suggestions = service.suggest(current_identity(), request.args.get("q"))
    record_event(audit_actions.SUGGEST, details={"q": (request.args.get("q") or "")[:500],
                                                 "hits": len(suggestions["titles"])})
    return jsonify(suggestions)
