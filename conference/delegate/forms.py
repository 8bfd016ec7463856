"""The delegate's forms: registering (its fields declared in `services.registration.fields`)
and cancelling."""

from functools import cache

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    Field,
    HiddenField,
    IntegerField,
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
    NumberRange,
    Optional,
    ValidationError,
)
from wtforms.widgets import HiddenInput

from conference.forms import CountryField
from conference.services.on_site.visa_letters import LetterDetails
from conference.services.registration.fields import (
    CONSENTS,
    FIELDS,
    Kind,
    RegistrationDetails,
    RegistrationField,
)

OTHER_ORGANISATION = "other"
YES_NO = [SelectChoice("no", "No"), SelectChoice("yes", "Yes")]


def _other_organisation_named(choice: str):
    """The typed name is needed when the delegate chose 'Another organisation' in `choice`."""

    def check(form, field):
        if form[choice].data == OTHER_ORGANISATION and not (field.data or "").strip():
            raise ValidationError("Type the name of your organisation.")

    return check


def _presence(f: RegistrationField):
    return DataRequired(message=f.required_message or None) if f.required else Optional()


def _text_validators(f: RegistrationField) -> list:
    return [_presence(f), Length(max=f.max_length)]


def _form_fields(f: RegistrationField) -> dict[str, Field]:
    """The form's field (two for an organisation: the list, and the name typed in) for `f`."""
    label, help_text = f.form_label, f.help
    if f.kind == Kind.ORGANISATION:
        other = f"{f.name}_other"
        return {
            f.name: SelectField(
                label,
                render_kw={"data-other-target": other},
                validators=[_presence(f)],
                description=help_text,
            ),
            other: StringField(
                "Name of your organisation",
                validators=[Length(max=f.max_length), _other_organisation_named(f.name)],
                description="Only when your organisation is not in the list.",
            ),
        }
    if f.kind == Kind.COUNTRY:
        return {f.name: CountryField(label, validators=[_presence(f)], description=help_text)}
    if f.kind == Kind.TEXT:
        return {f.name: StringField(label, _text_validators(f), description=help_text)}
    if f.kind == Kind.PARAGRAPH:
        return {f.name: TextAreaField(label, _text_validators(f), description=help_text)}
    if f.kind == Kind.YES_NO:
        return {
            f.name: RadioField(
                label,
                choices=YES_NO,
                default="no",
                validators=[InputRequired()],
                description=help_text,
            )
        }
    if f.kind == Kind.CONSENT:
        return {f.name: BooleanField(label, description=help_text)}
    raise ValueError(f"no form field for a {f.kind} field")


class _RegistrationFormBase(FlaskForm):
    """The fields come from the declaration (`registration_form_class`); this reads them."""

    declared: tuple[RegistrationField, ...] = ()
    # The fields the page offered: a registration decided while its form was open offers fewer,
    # and the delegate is told rather than some of their changes dropped.
    offered = HiddenField()

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.organisations = list(organisations)
        if not self.offered.data:
            self.offered.data = self.offering
        for f in self.declared:
            if f.kind == Kind.ORGANISATION:
                self[f.name].choices = (
                    [SelectChoice("", "Choose your organisation")]
                    + [SelectChoice(str(org.id), org.display_name) for org in organisations]
                    + [
                        SelectChoice(
                            OTHER_ORGANISATION, "Another organisation (type its name below)"
                        )
                    ]
                )

    @property
    def offering(self) -> str:
        return " ".join(f.name for f in self.declared)

    @property
    def offered_other_fields(self) -> bool:
        """Whether the page that was sent offered other fields than this form has."""
        return self.offered.data != self.offering

    def fill_from(self, registration) -> None:
        """Show the registration's answers where the form's values differ from the stored ones."""
        for f in self.declared:
            if f.kind == Kind.ORGANISATION:
                chosen = getattr(registration, f"{f.name}_id")
                self[f.name].data = str(chosen) if chosen else OTHER_ORGANISATION
            elif f.kind == Kind.YES_NO:
                self[f.name].data = "yes" if getattr(registration, f.name) else "no"

    def details(self) -> RegistrationDetails:
        """What the delegate entered, one value for each field of the form."""
        values = {}
        for f in self.declared:
            data = self[f.name].data
            if f.kind == Kind.ORGANISATION:
                values[f.name] = next(
                    (org for org in self.organisations if str(org.id) == data), None
                )
                values[f"{f.name}_other"] = self[f"{f.name}_other"].data
            elif f.kind == Kind.YES_NO:
                values[f.name] = data == "yes"
            elif f.kind == Kind.CONSENT:
                values[f.name] = bool(data)
            else:
                values[f.name] = data or ""
        return RegistrationDetails(**values)


@cache
def registration_form_class(declared: tuple[RegistrationField, ...] = FIELDS) -> type[FlaskForm]:
    """A form class with a field for each of `declared`, in their order."""
    attributes = {"declared": declared}
    for f in declared:
        attributes.update(_form_fields(f))
    return type("RegistrationForm", (_RegistrationFormBase,), attributes)


RegistrationForm = registration_form_class(FIELDS)


class NewRegistrationForm(RegistrationForm):
    """A first registration: every declared field, and the code of an invitation."""

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


class LetterDetailsForm(FlaskForm):
    """What the visa invitation letter needs, as written in the passport."""

    passport_name = StringField(
        "Name as in your passport",
        validators=[DataRequired(message="Give your name as in your passport."), Length(max=200)],
        description="Every given name and the surname, spelled exactly as in the passport.",
        render_kw={"autocomplete": "name"},
    )
    nationality = CountryField(
        "Nationality", validators=[DataRequired(message="Choose your nationality.")]
    )
    passport_number = StringField(
        "Passport number",
        validators=[DataRequired(message="Give your passport number."), Length(max=40)],
        render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"},
    )
    date_of_birth = DateField(
        "Date of birth", validators=[DataRequired(message="Give your date of birth.")]
    )
    submit = SubmitField("Save and prepare my letter")

    def details(self) -> LetterDetails:
        return LetterDetails(
            passport_name=self.passport_name.data,
            nationality=self.nationality.data,
            passport_number=self.passport_number.data,
            date_of_birth=self.date_of_birth.data,
        )


class ReadNoticeForm(FlaskForm):
    """ "I have read the privacy notice": the version the page showed, and an invitation's code
    to carry on to the registration form."""

    version = IntegerField(
        widget=HiddenInput(), validators=[InputRequired(), NumberRange(min=1, max=2**31 - 1)]
    )
    code = HiddenField(validators=[Optional(), Length(max=40)])
    submit = SubmitField("I have read the privacy notice")


class ConsentForm(FlaskForm):
    """One consent's button on the registration page: give it, or withdraw it."""

    consent = HiddenField(validators=[AnyOf([f.name for f in CONSENTS])])
    given = HiddenField(validators=[AnyOf(["yes", "no"])])


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
