import re

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, RadioField, SelectChoice, StringField, SubmitField
from wtforms.validators import DataRequired, Email, EqualTo, Length, ValidationError

from conference.models import EMAIL_LANGUAGES
from conference.services.people.accounts import PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH

_new_password = [
    DataRequired(),
    Length(
        min=PASSWORD_MIN_LENGTH,
        max=PASSWORD_MAX_LENGTH,
        message=f"Use at least {PASSWORD_MIN_LENGTH} characters. A few words in a row work well.",
    ),
]


def no_web_address(form, field):
    """A name is a name: a web address in it would travel into our emails."""
    if re.search(r"://|www\.", field.data or "", re.IGNORECASE):
        raise ValidationError("A name cannot contain a web address.")


def _name_field() -> StringField:
    return StringField(
        "Full name",
        validators=[DataRequired(), Length(max=200), no_web_address],
        render_kw={"autocomplete": "name"},
    )


class SignUpForm(FlaskForm):
    name = _name_field()
    email = EmailField(
        "Email address",
        validators=[DataRequired(), Email(), Length(max=254)],
        render_kw={"autocomplete": "email"},
    )
    password = PasswordField(
        "Password",
        validators=_new_password,
        description=f"At least {PASSWORD_MIN_LENGTH} characters.",
        render_kw={"autocomplete": "new-password"},
    )
    submit = SubmitField("Sign up")


class LoginForm(FlaskForm):
    email = EmailField(
        "Email address",
        validators=[DataRequired(), Email(), Length(max=254)],
        render_kw={"autocomplete": "username"},
    )
    password = PasswordField(
        "Password",
        validators=[DataRequired(), Length(max=PASSWORD_MAX_LENGTH)],
        render_kw={"autocomplete": "current-password"},
    )
    submit = SubmitField("Log in")


class RequestPasswordResetForm(FlaskForm):
    email = EmailField(
        "Email address",
        validators=[DataRequired(), Email(), Length(max=254)],
        render_kw={"autocomplete": "email"},
    )
    submit = SubmitField("Send me a reset link")


class ResetPasswordForm(FlaskForm):
    password = PasswordField(
        "New password",
        validators=_new_password,
        description=f"At least {PASSWORD_MIN_LENGTH} characters.",
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        "New password, again",
        validators=[DataRequired(), EqualTo("password", message="The two passwords differ.")],
        render_kw={"autocomplete": "new-password"},
    )
    submit = SubmitField("Set new password")


class LogoutForm(FlaskForm):
    submit = SubmitField("Log out")


class TwoFactorCodeForm(FlaskForm):
    code = StringField(
        "Code",
        validators=[DataRequired(), Length(max=20)],
        description="The six digits your authenticator app shows, or one of your recovery codes.",
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True},
    )
    submit = SubmitField("Continue")


class EnableTwoFactorForm(FlaskForm):
    code = StringField(
        "Code from your app",
        validators=[DataRequired(), Length(min=6, max=6, message="Type the six digits.")],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"},
    )
    submit = SubmitField("Turn on two-factor log-in")


class EndSessionsForm(FlaskForm):
    submit = SubmitField("Log out everywhere")


class AcceptInvitationForm(FlaskForm):
    submit = SubmitField("Join the team")


class ChangeNameForm(FlaskForm):
    name = _name_field()
    submit = SubmitField("Save name")


class ChangeEmailForm(FlaskForm):
    email = EmailField(
        "New email address",
        validators=[DataRequired(), Email(), Length(max=254)],
        render_kw={"autocomplete": "email"},
    )
    password = PasswordField(
        "Your password",
        validators=[DataRequired(), Length(max=PASSWORD_MAX_LENGTH)],
        description="To show that it is you who asks.",
        render_kw={"autocomplete": "current-password"},
    )
    submit = SubmitField("Send the confirmation link")


class ChangePasswordForm(ResetPasswordForm):
    current_password = PasswordField(
        "Current password",
        validators=[DataRequired(), Length(max=PASSWORD_MAX_LENGTH)],
        render_kw={"autocomplete": "current-password"},
    )
    submit = SubmitField("Change password")


class EraseAccountForm(FlaskForm):
    password = PasswordField(
        "Your password",
        validators=[DataRequired(), Length(max=PASSWORD_MAX_LENGTH)],
        description="To show that it is you who asks.",
        render_kw={"autocomplete": "current-password"},
    )
    submit = SubmitField("Erase my account")


class EmailLanguageForm(FlaskForm):
    language = RadioField(
        "Language of your emails",
        choices=[SelectChoice(code, name) for code, name in EMAIL_LANGUAGES.items()],
        validators=[DataRequired("Choose a language.")],
    )
    submit = SubmitField("Save language")
