"""The form an archive's admins describe it with (Flask-WTF, CSRF token); the rules are service.py's."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField


class ArchiveForm(FlaskForm):
    name = StringField(_l("Name"))
    other_names = TextAreaField(_l("Other forms of the name (optional)"))
    address = TextAreaField(_l("Address"))
    phone = StringField(_l("Telephone"))
    email = StringField(_l("E-mail"))
    website = StringField(_l("Website"))
    opening_hours = TextAreaField(_l("Opening hours"))
    reading_room = TextAreaField(_l("Reading room and conditions of access"))
    copies = TextAreaField(_l("How to ask for copies"))
    latitude = StringField(_l("Latitude (on the map)"))
    longitude = StringField(_l("Longitude (on the map)"))
