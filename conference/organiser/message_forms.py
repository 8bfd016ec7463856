"""The forms of messages and reminders: the group (the registration list's filter), the words,
and for a reminder its moment. They check the shape of input; `services.mail` the rules (the
placeholders, the count, the moment still to come)."""

from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import AnyOf, InputRequired, Length, NumberRange, Optional, Regexp
from wtforms.widgets import HiddenInput

from conference.forms import WithinTheCalendar
from conference.organiser.registration_forms import RegistrationFilterFields, new_batch
from conference.services.mail.rendering import SUBJECT_LENGTH

# The group's fields a message offers as choices; the list's others (a search, an organisation,
# a letter, dietary needs) come along from the list when it opened the composer.
GROUP_FIELDS = ("status", "country", "kind", "tag", "workshop", "workshop_chosen", "checked_in")
CARRIED_FIELDS = ("q", "organisation", "letter", "dietary")


class _Words(RegistrationFilterFields):
    subject = StringField(
        "Subject",
        validators=[Optional(), Length(max=SUBJECT_LENGTH)],
        render_kw={"autocomplete": "off"},
    )
    body = TextAreaField(
        "Message",
        validators=[Optional(), Length(max=20000)],
        description="Each delegate gets their own copy, with the placeholders filled for them.",
        render_kw={"rows": 10},
    )

    def group_is_valid(self) -> bool:
        """Whether the group's fields hold choices the event offers (a GET's, say)."""
        return all(self[name].validate(self) for name in GROUP_FIELDS + CARRIED_FIELDS)


class MessageForm(_Words):
    # How many delegates the organiser was shown: sending to another number is refused.
    expected = IntegerField(widget=HiddenInput(), validators=[Optional(), NumberRange(min=0)])
    # A one-time token: the same form sent twice sends the message once.
    batch = HiddenField(default=new_batch, validators=[InputRequired(), Regexp(r"^[0-9a-f]{32}$")])
    # Which button: count again, send a test to me, send to the group (the buttons' own name).
    action = StringField(validators=[InputRequired(), AnyOf(["count", "test", "send"])])


class ReminderForm(_Words):
    action = StringField(validators=[Optional(), AnyOf(["count", "save"])])  # the buttons
    timing = RadioField(
        "Given as",
        choices=[
            SelectChoice("before", "Days before the event"),
            SelectChoice("on", "On a date"),
        ],
        default="before",
        validators=[InputRequired(message="Choose when the reminder goes out.")],
    )
    days_before = IntegerField(
        "Days before the first day",
        validators=[Optional(), NumberRange(min=0, max=365, message="From 0 to 365 days.")],
        default=7,
    )
    on = DateField("Date", validators=[Optional(), WithinTheCalendar()])
    at = TimeField(
        "Time of day",
        validators=[InputRequired(message="Give the time of day.")],
        description="The event's local time.",
    )

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.timing.data == "before" and self.days_before.data is None:
            self.days_before.errors = [*self.days_before.errors, "Give the number of days."]
            valid = False
        if self.timing.data == "on" and self.on.data is None:
            self.on.errors = [*self.on.errors, "Give the date."]
            valid = False
        return valid


class ReminderCancelForm(FlaskForm):
    """Cancel a reminder: nothing to fill in but the CSRF token."""
