"""The sign-in, registration and password forms (Flask-WTF: every form carries a CSRF token)."""
from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, StringField, TelField
from wtforms.validators import DataRequired, EqualTo, Length, Optional, Regexp, ValidationError

from portal.auth.passwords import MAX_LENGTH, password_problems

# Good enough to catch typing mistakes; the verification mail proves the address.
_EMAIL = re.compile(r"^[^@\s<>\"']+@[^@\s<>\"']+\.[^@\s<>\"']+$")


def _email_shape(_form, field) -> None:
    if not _EMAIL.match(field.data or ""):
        raise ValidationError(_l("Enter an e-mail address such as ten@example.vn."))


def _strong_password(form, field) -> None:
    email = form.email.data if hasattr(form, "email") else None
    problems = password_problems(field.data or "", email=email)
    if problems:
        raise ValidationError(" ".join(problems))


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=320)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=MAX_LENGTH)])


def _compact_id(value: str | None) -> str | None:
    return re.sub(r"[\s.\-]+", "", value).upper() if value else value


class RegistrationForm(FlaskForm):
    full_name = StringField(_l("Full name"), validators=[DataRequired(), Length(min=2, max=255)])
    # Typed as printed on the card ("079 203 004 512", "C-1234567"): spaces, dots and hyphens are dropped.
    id_number = StringField(
        _l("Citizen ID or passport number"), filters=[_compact_id],
        validators=[DataRequired(), Regexp(r"^[A-Za-z0-9]{6,20}$", message=_l("Use 6 to 20 letters and digits."))])
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=320), _email_shape])
    phone = TelField(_l("Phone (optional)"),
                     validators=[Optional(), Regexp(r"^\+?[0-9 .-]{8,20}$",
                                                    message=_l("Enter a phone number such as 0912 345 678."))])
    workplace = StringField(_l("Workplace or institution"), validators=[DataRequired(), Length(max=255)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), _strong_password])
    confirm = PasswordField(_l("Repeat the password"),
                            validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))])
    # Explicit consent (Decree 13/2023, art. 11): an unticked box the reader ticks themselves.
    consent = BooleanField(
        _l("I have read the notice above and agree that the archives process my personal data for these purposes."),
        default=False,
        validators=[DataRequired(message=_l("Tick this box to agree to the processing of your personal data: "
                                            "without your consent we cannot register you."))])


class DeleteAccountForm(FlaskForm):
    password = PasswordField(_l("Your password"), validators=[DataRequired(), Length(max=MAX_LENGTH)])


class ForgotPasswordForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=320), _email_shape])


class ResendVerificationForm(ForgotPasswordForm):
    pass


class ResetPasswordForm(FlaskForm):
    password = PasswordField(_l("New password"), validators=[DataRequired(), _strong_password])
    confirm = PasswordField(_l("Repeat the password"),
                            validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))])


class SignOutForm(FlaskForm):
    """Sign-out is a POST with a CSRF token, so no image tag can sign anyone out."""
