"""The programme editor's forms: they check the shape of input; `services.programme.timetable`
the rules."""

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional

from conference.forms import ColourField
from conference.models import SessionKind, SpeakerRole

NONE = ""
OTHER = "other"
# Blank speaker rows under the session's speakers: enough for a panel, more after saving.
BLANK_PARTS = 3


def _optional_id(value):
    return int(value) if value not in (None, "", "None") else None


class RoomForm(FlaskForm):
    name = StringField(
        "Name", validators=[DataRequired(message="Give the room a name."), Length(max=100)]
    )
    capacity = IntegerField(
        "Seats",
        validators=[
            Optional(),
            NumberRange(min=1, max=100000, message="Give a number of seats from 1."),
        ],
        description="Leave empty when it does not matter.",
    )
    position = IntegerField(
        "Column",
        validators=[
            InputRequired(message="Give its column in the timetable."),
            NumberRange(min=0, max=999, message="Give a number from 0 to 999."),
        ],
        default=0,
        description="The timetable shows rooms from left to right by this number.",
    )
    submit = SubmitField("Save room")


class TrackForm(FlaskForm):
    name = StringField(
        "Name", validators=[DataRequired(message="Give the track a name."), Length(max=100)]
    )
    colour = ColourField()
    description = TextAreaField(
        "Description", validators=[Optional(), Length(max=5000)], render_kw={"rows": 3}
    )
    submit = SubmitField("Save track")


class SpeakerForm(FlaskForm):
    name = StringField(
        "Name", validators=[DataRequired(message="Give the speaker's name."), Length(max=200)]
    )
    title = StringField(
        "Title",
        validators=[Optional(), Length(max=200)],
        description="Their position, e.g. Head of the Victim Identification Team.",
    )
    organisation = SelectField("Organisation", validators=[Optional()])
    organisation_other = StringField("Other organisation", validators=[Optional(), Length(max=200)])
    bio = TextAreaField(
        "Short bio", validators=[Optional(), Length(max=5000)], render_kw={"rows": 5}
    )
    user_email = EmailField(
        "Delegate account",
        validators=[Optional(), Email(), Length(max=254)],
        filters=[lambda value: value.strip() if value else value],
        description="The email address of a delegate registered for the event, to link their "
        "account. Leave empty if there is none.",
        render_kw={"autocomplete": "off"},
    )
    submit = SubmitField("Save speaker")

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation.choices = [
            SelectChoice(NONE, "No organisation"),
            *(SelectChoice(str(o.id), o.display_name) for o in organisations),
            SelectChoice(OTHER, "Another organisation (type it below)"),
        ]
        self.organisation.render_kw = {"data-other-target": self.organisation_other.id}

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        if self.organisation.data == OTHER and not (self.organisation_other.data or "").strip():
            self.organisation_other.errors = [
                *self.organisation_other.errors,
                "Type the name of the organisation.",
            ]
            return False
        return valid

    @property
    def organisation_id(self) -> int | None:
        return None if self.organisation.data in (NONE, OTHER) else int(self.organisation.data)


class PartForm(Form):
    """One row of the session's speakers: who, and in what role."""

    speaker = SelectField("Speaker", validators=[Optional()])
    role = SelectField(
        "Role",
        choices=[SelectChoice(role.value, role.label) for role in SpeakerRole],
        default=SpeakerRole.SPEAKER.value,
    )


class SessionForm(FlaskForm):
    title = StringField(
        "Title", validators=[DataRequired(message="Give the session a title."), Length(max=300)]
    )
    kind = SelectField(
        "Kind",
        choices=[SelectChoice(kind.value, kind.label) for kind in SessionKind],
        validators=[DataRequired(message="Choose the kind of session.")],
    )
    day = DateField("Day", validators=[InputRequired(message="Give the day.")])
    starts = TimeField("Starts", validators=[InputRequired(message="Give the start time.")])
    ends = TimeField("Ends", validators=[InputRequired(message="Give the end time.")])
    room = SelectField("Room", coerce=_optional_id, validators=[Optional()])
    track = SelectField("Track", coerce=_optional_id, validators=[Optional()])
    capacity = IntegerField(
        "Places for sign-up",
        validators=[
            Optional(),
            NumberRange(min=1, max=100000, message="Give a number of places from 1."),
        ],
        description="For workshops: delegates sign up for a place. Leave empty: no sign-up.",
    )
    abstract = TextAreaField(
        "Abstract", validators=[Optional(), Length(max=20000)], render_kw={"rows": 5}
    )
    parts = FieldList(FormField(PartForm), min_entries=BLANK_PARTS)
    accept_warnings = BooleanField("Save anyway: I have read the warnings")
    submit = SubmitField("Save session")

    def __init__(self, *args, rooms=(), tracks=(), speakers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.room.choices = [SelectChoice(None, "No room: for everyone (e.g. a break)")] + [
            SelectChoice(room.id, room.name) for room in rooms
        ]
        self.track.choices = [SelectChoice(None, "No track")] + [
            SelectChoice(track.id, track.name) for track in tracks
        ]
        speaker_choices = [SelectChoice(NONE, "—")] + [
            SelectChoice(
                str(s.id), f"{s.name} ({s.organisation_name})" if s.organisation_name else s.name
            )
            for s in speakers
        ]
        for row in self.parts:
            row.speaker.choices = speaker_choices
        if not self.is_submitted():
            filled = sum(1 for row in self.parts if row.speaker.data)
            while len(self.parts) < filled + BLANK_PARTS:
                self.parts.append_entry()
                self.parts[-1].speaker.choices = speaker_choices

    def chosen_parts(self) -> list[tuple[int, str]]:
        """The speakers chosen, in the order of the rows; blank rows skipped."""
        return [(int(row.speaker.data), row.role.data) for row in self.parts if row.speaker.data]


class PublishForm(FlaskForm):
    """Publish the draft: nothing to fill in but the CSRF token."""

    submit = SubmitField("Publish")


class DeleteForm(FlaskForm):
    submit = SubmitField("Delete")
