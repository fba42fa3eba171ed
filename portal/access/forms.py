"""The forms of the access workflow (Flask-WTF: each carries a CSRF token)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional
from wtforms.widgets import HiddenInput

from portal.access.workflow import MAX_TEXT, PURPOSE_LABELS


class AccessRequestForm(FlaskForm):
    purpose = SelectField(_l("Purpose"), choices=[("", _l("— choose —"))] + list(PURPOSE_LABELS.items()),
                          validators=[DataRequired(message=_l("Choose the purpose of your request."))])
    use_description = TextAreaField(_l("What you need it for"), validators=[
        DataRequired(message=_l("Say what you need the record for.")), Length(max=MAX_TEXT)])
    research_topic = StringField(_l("Research topic"), validators=[Optional(), Length(max=500)])
    period_wanted = StringField(_l("Period you need it for"), validators=[Optional(), Length(max=255)])


class CommentForm(FlaskForm):
    body = TextAreaField(_l("Message"), validators=[DataRequired(message=_l("Write a message first.")),
                                                    Length(max=MAX_TEXT)])


class VersionedForm(FlaskForm):
    """A change of state carries the version of the request its page showed."""
    version = IntegerField(widget=HiddenInput(), validators=[InputRequired()])


class WithdrawForm(VersionedForm):
    pass


class ApproveForm(VersionedForm):
    scope = RadioField(_l("Access covers"), validators=[
        DataRequired(message=_l("Choose what the access covers: the record, its file or its fonds."))])
    expires_on = DateField(_l("Last day of access"), validators=[
        DataRequired(message=_l("Give the last day of access."))])
    note = TextAreaField(_l("Note to the reader (optional)"), validators=[Optional(), Length(max=MAX_TEXT)])


class AcceptForm(VersionedForm):
    """Approving a reading-room visit or a copy: nothing opens in the portal, the note says what happens."""
    note = TextAreaField(_l("Note to the reader: when to come, or how the copy is delivered"), validators=[
        DataRequired(message=_l("Tell the reader what happens next: when to come, or how the copy is delivered.")),
        Length(max=MAX_TEXT)])


class DenyForm(VersionedForm):
    reason = TextAreaField(_l("Reason for the denial"), validators=[
        DataRequired(message=_l("Give the reason for the denial: the reader is told it.")), Length(max=MAX_TEXT)])


class RevokeForm(FlaskForm):
    reason = TextAreaField(_l("Reason (optional)"), validators=[Optional(), Length(max=MAX_TEXT)])


class MarkReadForm(FlaskForm):
    pass
