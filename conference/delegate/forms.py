from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import (
    AnyOf,
    DataRequired,
    InputRequired,
    Length,
    Optional,
    ValidationError,
)

from conference.forms import CountryField

OTHER_ORGANISATION = "other"


class RegistrationForm(FlaskForm):
    organisation = SelectField(
        "Organisation",
        render_kw={"data-other-target": "organisation_other"},
        validators=[DataRequired(message="Choose your organisation, or 'Another organisation'.")],
    )
    organisation_other = StringField(
        "Name of your organisation",
        validators=[Length(max=200)],
        description="Only when your organisation is not in the list.",
    )
    country = CountryField(
        "Country",
        validators=[DataRequired(message="Choose the country you work in.")],
        description="The country you work in.",
    )
    job_title = StringField("Job title", validators=[DataRequired(), Length(max=200)])
    dietary_needs = TextAreaField(
        "Dietary needs",
        validators=[Optional(), Length(max=500)],
        description="For lunch and dinner on both days, e.g. vegetarian, halal, allergies.",
    )
    accessibility_needs = TextAreaField(
        "Accessibility needs",
        validators=[Optional(), Length(max=500)],
        description="Anything that helps you take part: step-free access, seating, a hearing loop.",
    )
    invitation_letter_needed = RadioField(
        "Do you need an invitation letter for your visa?",
        choices=[SelectChoice("no", "No"), SelectChoice("yes", "Yes")],
        default="no",
        validators=[InputRequired()],
    )
    consent_participant_list = BooleanField(
        "Show my name, organisation and country in the participant list for other approved "
        "delegates."
    )
    submit = SubmitField("Send registration")

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation.choices = (
            [SelectChoice("", "Choose your organisation")]
            + [SelectChoice(str(org.id), org.display_name) for org in organisations]
            + [SelectChoice(OTHER_ORGANISATION, "Another organisation (type its name below)")]
        )

    def validate_organisation_other(self, field):
        if self.organisation.data == OTHER_ORGANISATION and not (field.data or "").strip():
            raise ValidationError("Type the name of your organisation.")


class NewRegistrationForm(RegistrationForm):
    """A first registration: as the edit form, with the code of an invitation."""

    invitation_code = StringField(
        "Invitation code",
        validators=[Length(max=40)],
        filters=[lambda value: (value or "").strip()],
        description="From your invitation email, e.g. K7QX-3MPA-9TRE.",
        render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"},
    )

    def __init__(self, *args, invitation_only=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.invitation_only = invitation_only

    def validate_invitation_code(self, field):
        if self.invitation_only and not field.data:
            raise ValidationError("This conference is by invitation only: enter your code.")


class CancelRegistrationForm(FlaskForm):
    submit = SubmitField("Yes, cancel my registration")


# The pages a workshop's buttons stand on, to go back to: My agenda, or the workshop's own page.
BACK_TO_AGENDA = "agenda"
BACK_TO_SESSION = "session"


class WorkshopPlaceForm(FlaskForm):
    """A workshop's sign-up or leave button: its CSRF token, and the page it was pressed on."""

    back = HiddenField(
        default=BACK_TO_AGENDA,
        validators=[Optional(), AnyOf([BACK_TO_AGENDA, BACK_TO_SESSION])],
    )
