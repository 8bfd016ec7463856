"""The Deliveries page's forms: its filters, read from the query string, and sending again."""

from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectChoice, SelectField, StringField
from wtforms.validators import Length, Optional

from conference.models import DeliveryState
from conference.services.mail.deliveries import DeliveryFilter


class DeliveryFilterForm(FlaskForm):
    """Which emails the list shows; in the URL, so no CSRF token."""

    class Meta:
        csrf = False

    state = SelectField(
        "State",
        choices=[SelectChoice("", "Every state")]
        + [SelectChoice(state.value, state.label) for state in DeliveryState],
        validators=[Optional()],
    )
    q = StringField(
        "Recipient",
        validators=[Optional(), Length(max=200)],
        description="Part of the address or of the name",
    )

    def to_filter(self) -> DeliveryFilter:
        return DeliveryFilter(
            DeliveryState(self.state.data) if self.state.data else None,
            (self.q.data or "").strip(),
        )


class SendAgainForm(FlaskForm):
    """Send one failed email again: nothing to fill in but the CSRF token."""


class SendAllAgainForm(FlaskForm):
    """Send every failed email again, of those the list's search matches."""

    q = HiddenField(validators=[Optional(), Length(max=200)])
