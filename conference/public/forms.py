"""The public's one form: an embassy checking a visa invitation letter by its code."""

from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length


class LetterCheckForm(FlaskForm):
    code = StringField(
        "Verification code",
        validators=[DataRequired(message="Type the code printed on the letter."), Length(max=40)],
        description="As printed at the foot of the letter, e.g. K7QX-3MPA-9TRE.",
        render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"},
    )
