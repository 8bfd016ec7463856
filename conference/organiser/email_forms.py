"""The forms of the email editor: they check the shape of input; `check_email_text` checks
the words."""

from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from conference.services.mail.rendering import SUBJECT_LENGTH

BODY_LENGTH = 20_000


class EmailTemplateForm(FlaskForm):
    subject = StringField(
        "Subject", validators=[DataRequired("Write a subject."), Length(max=SUBJECT_LENGTH)]
    )
    body = TextAreaField(
        "Text",
        validators=[DataRequired("Write the email's text."), Length(max=BODY_LENGTH)],
        render_kw={"rows": 16, "spellcheck": "true"},
    )
    registration = SelectField("Preview with", coerce=int, validate_choice=True)
    preview = SubmitField("Preview")
    save = SubmitField("Save")


class ResetEmailTemplateForm(FlaskForm):
    submit = SubmitField("Yes, back to the default text")


class EmailPreviewForm(FlaskForm):
    """The words being edited, posted into the preview's frame."""

    subject = StringField(validators=[DataRequired(), Length(max=SUBJECT_LENGTH)])
    body = TextAreaField(validators=[DataRequired(), Length(max=BODY_LENGTH)])
    registration = IntegerField(validators=[Optional()])
