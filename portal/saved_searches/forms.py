"""The forms of saved searches (Flask-WTF: each carries a CSRF token, but the unsubscribe one, which
needs none: its signed token is the proof)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from portal.saved_searches.models import ALERT_DAILY, ALERT_NONE, ALERT_WEEKLY, MAX_QUERY_LENGTH

ALERT_OPTIONS = [(ALERT_NONE, _l("No e-mail")), (ALERT_DAILY, _l("E-mail me new records daily")),
                 (ALERT_WEEKLY, _l("E-mail me new records weekly"))]


class SaveSearchForm(FlaskForm):
    query = HiddenField(validators=[DataRequired(), Length(max=MAX_QUERY_LENGTH)])
    name = StringField(_l("Name of the search"), validators=[Optional(), Length(max=200)])
    alert = SelectField(_l("New records"), choices=ALERT_OPTIONS, default=ALERT_NONE)


class AlertForm(FlaskForm):
    alert = SelectField(_l("New records"), choices=ALERT_OPTIONS)


class ConfirmForm(FlaskForm):
    """A button and its CSRF token: delete a saved search, forget the history."""
