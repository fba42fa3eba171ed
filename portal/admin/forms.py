"""The forms of the source pages (Flask-WTF: each carries a CSRF token). They check only what a
form must (something typed, a choice offered); the rules of a source are portal/admin/sources.py's,
the same for the form and for `flask sources add`."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired

KIND_LABELS = {
    "oai-pmh": _l("OAI-PMH data provider"),
    "package": _l("Inbox of export packages (a directory on the server)"),
}


class SourceForm(FlaskForm):
    name = StringField(_l("Name"))
    kind = SelectField(_l("Kind of source"), validators=[DataRequired()])
    url = StringField(_l("Address"), validators=[DataRequired(message=_l(
        "Give the OAI-PMH base URL, or the inbox directory of a package source."))])
    province = SelectField(_l("Holding province"), validate_choice=False)
    metadata_prefix = StringField(_l("Metadata prefix"), default="auto")
    set_spec = StringField(_l("Set (setSpec, optional)"))
    schedule = StringField(_l("Schedule (optional)"))
    file_hosts = TextAreaField(_l("Other hosts of its files (optional)"))
    enabled = BooleanField(_l("Enabled: harvested on its schedule and by a run asked for here"), default=True)


class NewSourceForm(SourceForm):
    source_id = StringField(_l("Source id"), validators=[DataRequired(message=_l("Give the source an id."))])


class ActionForm(FlaskForm):
    """Enable, disable, harvest now: a button and the CSRF token."""


class FullRunForm(FlaskForm):
    confirm = BooleanField(_l("Yes: re-read everything and remove from the index what the source no longer has"),
                           validators=[DataRequired(message=_l("Tick the box to confirm a full re-harvest."))])


# The access policy page (portal/admin/access_policy.py): what each wording of a source means.
RULE_LEVEL_LABELS = {
    "public": _l("Public: anyone sees the record and its content"),
    "restricted": _l("Restricted: the description is public, the content on request"),
    "closed": _l("Closed: the record is not shown"),
    "none": _l("Says nothing of access (a licence, a copyright line)"),
}
UNSTATED_LABELS = {level: RULE_LEVEL_LABELS[level] for level in ("closed", "restricted", "public")}


class AccessRuleForm(FlaskForm):
    statement = TextAreaField(_l("The statement, as the source writes it"),
                              validators=[DataRequired(message=_l("Give the statement as the source writes it."))])
    level = SelectField(_l("What it means"), choices=list(RULE_LEVEL_LABELS.items()),
                        validators=[DataRequired(message=_l("Choose what the statement means."))])


class RemoveRuleForm(FlaskForm):
    statement = HiddenField(validators=[DataRequired()])


class UnstatedAccessForm(FlaskForm):
    level = SelectField(_l("Their level"), choices=list(UNSTATED_LABELS.items()),
                        validators=[DataRequired()])
