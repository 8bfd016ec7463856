from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from conference.models import RegistrationStatus


class RegistrationFilterForm(FlaskForm):
    """The list's search and filter; read from the query string, so no CSRF token."""

    class Meta:
        csrf = False

    q = StringField(
        "Search",
        validators=[Optional(), Length(max=200)],
        description="Name, email address or organisation",
    )
    status = SelectField(
        "Status",
        choices=[SelectChoice("", "All statuses")]
        + [SelectChoice(s.value, s.label) for s in RegistrationStatus],
        validators=[Optional()],
    )


class DecisionForm(FlaskForm):
    """Approve or waitlist: nothing to fill in but the CSRF token."""

    submit = SubmitField()


class RejectForm(FlaskForm):
    reason = TextAreaField(
        "Reason",
        validators=[
            DataRequired(message="Give the reason; the delegate will read it."),
            Length(max=2000),
        ],
        description="Sent to the delegate in the rejection email.",
    )
    submit = SubmitField("Reject")
