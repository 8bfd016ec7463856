"""The desk's one form: what was scanned or chosen. Its shape only; the desk's rules decide."""

from flask_wtf import FlaskForm
from wtforms import IntegerField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional
from wtforms.widgets import HiddenInput

from conference.models import LARGEST_ID


class ScanForm(FlaskForm):
    code = StringField(
        "Badge code or reference",
        filters=[lambda value: value.strip() if value else value],
        validators=[
            DataRequired(message="Scan a badge, or type a name or a reference."),
            Length(max=64, message="A badge code or reference has up to 64 characters."),
        ],
    )
    session = IntegerField(
        validators=[Optional(), NumberRange(min=1, max=LARGEST_ID)], widget=HiddenInput()
    )
