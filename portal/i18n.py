"""Language: Vietnamese by default, English second; chosen by ?lang=, then the session, then
the browser's Accept-Language."""
from __future__ import annotations

import os

from flask import Flask, current_app, request, session, url_for
from flask_babel import Babel, get_locale

from portal.formatting import day, moment, number
from portal.labels import (error_kind_label, harvest_mode_label, harvest_state_label, language_label, level_label,
                           media_type_label, problem_label, province_label)


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    asked = request.args.get("lang")
    if asked in languages:
        session["lang"] = asked
        return asked
    if session.get("lang") in languages:
        return session["lang"]
    return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]


def init_app(app: Flask) -> None:
    translations = os.path.join(os.path.dirname(app.root_path), "translations")
    Babel(app, locale_selector=select_locale, default_translation_directories=translations)

    @app.context_processor
    def languages():
        def lang_url(code: str) -> str:
            args = request.args.copy()
            args["lang"] = code
            return url_for(request.endpoint, **(request.view_args or {}), **args.to_dict(flat=False)) \
                if request.endpoint else f"?lang={code}"

        return {"current_locale": str(get_locale()), "languages": app.config["LANGUAGES"],
                "lang_url": lang_url}

    app.add_template_filter(language_label, "language_name")
    # Codes people read as words, in their language: harvest states and modes, harvest problems, provinces.
    app.add_template_filter(harvest_state_label, "harvest_state")
    app.add_template_filter(harvest_mode_label, "harvest_mode")
    app.add_template_filter(problem_label, "problem")
    app.add_template_filter(error_kind_label, "error_kind")
    app.add_template_filter(lambda code: province_label(code) if code else "", "province")
    app.add_template_filter(day, "day")
    app.add_template_filter(moment, "moment")
    app.add_template_filter(lambda value: moment(value, seconds=True), "moment_seconds")
    app.add_template_filter(number, "number")
    app.add_template_filter(media_type_label, "media_type")
    app.add_template_filter(level_label, "level")
