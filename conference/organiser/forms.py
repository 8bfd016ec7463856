"""The back office's forms: they check the shape of input; the services check the rules."""

import re

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    EmailField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
    URLField,
)
from wtforms.validators import (
    URL,
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, HiddenInput, ListWidget

from conference.forms import CountryField, WithinTheCalendar
from conference.models import BadgeRole, OrganisationKind
from conference.services.on_site.badge_pdf import Layout
from conference.services.registration.exports import participant_columns


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


# --- the team and the audit log ---------------------------------------------------------------

_TEAM_ROLE_CHOICES = [
    SelectChoice("organiser", "Organiser: everything"),
    SelectChoice("moderator", "Moderator: approve, reject, waitlist"),
    SelectChoice("check_in", "Check-in staff: the check-in desk only"),
    SelectChoice("viewer", "Viewer: reads, changes nothing"),
]


class InviteMemberForm(FlaskForm):
    email = EmailField(
        "Email address",
        validators=[DataRequired(), Email(), Length(max=254)],
        description="The invitation link works once, for this address, for 7 days.",
        filters=[lambda value: value.strip() if value else value],
        render_kw={"autocomplete": "off"},
    )
    role = SelectField("Role", choices=_TEAM_ROLE_CHOICES, validators=[DataRequired()])
    submit = SubmitField("Send invitation")


class ChangeRoleForm(FlaskForm):
    member = IntegerField(widget=HiddenInput(), validators=[DataRequired()])
    role = SelectField("Role", choices=_TEAM_ROLE_CHOICES, validators=[DataRequired()])
    submit = SubmitField("Change")


class RemoveMemberForm(FlaskForm):
    member = IntegerField(widget=HiddenInput(), validators=[DataRequired()])
    submit = SubmitField("Remove")


class AuditLogFilterForm(FlaskForm):
    """The audit log's filters; read from the query string, so no CSRF token."""

    class Meta:
        csrf = False

    who = StringField(
        "Who",
        validators=[Optional(), Length(max=200)],
        description="Part of a name or email address",
    )
    what = SelectField("What", validators=[Optional()], validate_choice=False)
    registration = StringField(
        "Registration",
        validators=[
            Optional(),
            Length(max=20),
            Regexp(r"^[A-Za-z0-9-]+$", message="A reference looks like VGT14-7K3QXA."),
        ],
        description="Its reference",
    )

    def validate_what(self, field):
        if field.data and not re.fullmatch(r"[a-z_]+(\.[a-z_]+)*", field.data):
            raise ValidationError("Choose an action from the list.")


# --- event settings and partners -------------------------------------------------------------


def _notice_part(label: str, description: str) -> TextAreaField:
    return TextAreaField(
        label,
        validators=[DataRequired(message="Write this part of the notice."), Length(max=5000)],
        description=description,
        render_kw={"rows": 4},
    )


class PrivacyNoticeForm(FlaskForm):
    """The event's privacy notice, part by part (`services.privacy.notices.NoticeText`)."""

    controller = _notice_part(
        "Who is responsible for the data",
        "The controller: the organisation, its address, and who acts for it.",
    )
    purpose = _notice_part(
        "What the data is used for",
        "Vetting, badges, catering, letters: what each piece of data is for, and who sees it.",
    )
    legal_basis = _notice_part("Legal basis", "e.g. consent, a legitimate interest, a legal duty.")
    retention = _notice_part(
        "How long it is kept",
        "When the data is deleted or anonymised, the emails sent to delegates included.",
    )
    contact = _notice_part("Whom to ask", "The data protection officer, and how to reach them.")
    rights = _notice_part(
        "The delegate's rights",
        "Access, correction, erasure, objection, withdrawing consent, and the right to complain "
        "to the supervisory authority.",
    )
    submit = SubmitField("Publish this version")


class EventSettingsForm(FlaskForm):
    """The event's settings; the registration window is typed in the event's time zone."""

    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    short_name = StringField(
        "Short name",
        validators=[DataRequired(), Length(max=40)],
        description="Shown in the menu and in emails, e.g. VGT 2014.",
    )
    tagline = StringField("Tagline", validators=[Optional(), Length(max=300)])
    description = TextAreaField(
        "Description",
        validators=[Optional(), Length(max=20000)],
        description="Shown on the public page. Leave a blank line between paragraphs.",
        render_kw={"rows": 8},
    )
    starts_on = DateField(
        "First day", validators=[DataRequired(message="Give the first day."), WithinTheCalendar()]
    )
    ends_on = DateField(
        "Last day", validators=[DataRequired(message="Give the last day."), WithinTheCalendar()]
    )
    venue = StringField("Venue", validators=[Optional(), Length(max=200)])
    city = StringField("City", validators=[Optional(), Length(max=100)])
    capacity = IntegerField(
        "Capacity",
        validators=[
            InputRequired(message="Give the number of places."),
            NumberRange(min=1, max=100000, message="Give a number of places from 1 to 100,000."),
        ],
        description="Places for approved delegates. Raising it promotes the waiting list.",
    )
    registration_opens = DateTimeLocalField(
        "Registration opens", validators=[Optional(), WithinTheCalendar()], format="%Y-%m-%dT%H:%M"
    )
    registration_closes = DateTimeLocalField(
        "Registration closes", validators=[Optional(), WithinTheCalendar()], format="%Y-%m-%dT%H:%M"
    )
    approval_required = RadioField(
        "Approval",
        choices=[
            SelectChoice("yes", "Organisers vet every registration"),
            SelectChoice("no", "Automatic: approve up to the capacity, then the waiting list"),
        ],
        validators=[InputRequired(message="Choose how registrations are approved.")],
    )
    invitation_only = BooleanField(
        "By invitation only: registering needs the code from an invitation",
        description="Invite people one by one or from a CSV file under Invitations.",
    )
    letter_letterhead = TextAreaField(
        "Letterhead",
        validators=[Optional(), Length(max=1000)],
        description="The host's name and address, a line each, at the top of every letter.",
        render_kw={"rows": 4},
    )
    letter_purpose = TextAreaField(
        "Purpose of the visit",
        validators=[Optional(), Length(max=3000)],
        description="Why the delegate travels: the letter says it to the embassy.",
        render_kw={"rows": 4},
    )
    letter_costs = TextAreaField(
        "Costs",
        validators=[Optional(), Length(max=3000)],
        description="Who bears which costs: travel, accommodation, the conference itself.",
        render_kw={"rows": 3},
    )
    letter_signatory_name = StringField(
        "Signed by",
        validators=[Optional(), Length(max=200)],
        description="e.g. Ruud Bik. Also signs the certificates of attendance.",
    )
    letter_signatory_title = StringField(
        "Signatory's title",
        validators=[Optional(), Length(max=200)],
        description="e.g. Deputy Chief of Police, Dutch National Police.",
    )
    retention_months = IntegerField(
        "Months to keep personal data after the event",
        validators=[
            InputRequired(message="Give a number of months."),
            NumberRange(min=1, max=120, message="Give a number of months from 1 to 120."),
        ],
        description="Then the delegates' personal data is anonymised; the counts stay.",
    )
    submit = SubmitField("Save settings")

    def validate_ends_on(self, field):
        if self.starts_on.data and field.data and field.data < self.starts_on.data:
            raise ValidationError("The last day cannot come before the first.")

    def validate_registration_closes(self, field):
        opens = self.registration_opens.data
        if opens and field.data and field.data <= opens:
            raise ValidationError("Registration must close after it opens.")


NEW_ORGANISATION = "new"


class OrganisationForm(FlaskForm):
    """An organisation's own details: for a new partner, or to edit one."""

    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    short_name = StringField(
        "Short name", validators=[Optional(), Length(max=40)], description="e.g. NCMEC"
    )
    kind = SelectField(
        "Kind",
        choices=[SelectChoice("", "Choose a kind")]
        + [SelectChoice(k.value, k.label) for k in OrganisationKind],
        validators=[DataRequired(message="Choose the kind of organisation.")],
    )
    country = CountryField("Country", validators=[Optional()])
    website = URLField(
        "Website",
        validators=[Optional(), Length(max=300), URL(message="Give a full address: https://…")],
    )
    submit = SubmitField("Save")


class PartnerForm(OrganisationForm):
    """Add a partner: one the app knows already, or a new organisation described below."""

    organisation = SelectField("Organisation", validators=[DataRequired()])
    submit = SubmitField("Add partner")

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation.choices = [
            SelectChoice(NEW_ORGANISATION, "A new organisation (describe it below)")
        ] + [SelectChoice(str(o.id), o.display_name) for o in organisations]

    def validate(self, extra_validators=None):
        """A new organisation needs its details; a known one needs nothing more."""
        if self.organisation.data != NEW_ORGANISATION:
            for field in (self.name, self.kind, self.country, self.website, self.short_name):
                field.validators = [Optional()]
        return super().validate(extra_validators)


class MovePartnerForm(FlaskForm):
    direction = SelectField(
        "Direction", choices=[SelectChoice("up", "Up"), SelectChoice("down", "Down")]
    )


# --- exports and the CSV import --------------------------------------------------------------


def _at_least_one_column(form, field):
    # Not DataRequired: its `required` attribute would make the browser demand every box.
    if not field.data:
        raise ValidationError("Choose at least one column.")


class ParticipantExportForm(FlaskForm):
    """The participant list's columns, those the reader may see (`sensitive`: all of them)."""

    columns = SelectMultipleField(
        "Columns",
        validators=[_at_least_one_column],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    format = SelectField("Format", choices=["csv", "xlsx"])

    def __init__(self, *args, sensitive: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.columns.choices = [
            SelectChoice(key, column.header)
            for key, column in participant_columns(sensitive).items()
        ]


class DownloadForm(FlaskForm):
    """A list without choices: only the format (a button each) and the CSRF token."""

    format = SelectField("Format", choices=["csv", "xlsx"])


class InviteeForm(FlaskForm):
    """Invite one person to register."""

    email = EmailField(
        "Email address",
        validators=[DataRequired(), Email(), Length(max=254)],
        filters=[lambda value: value.strip() if value else value],
        render_kw={"autocomplete": "off"},
    )
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    organisation = StringField("Organisation", validators=[Optional(), Length(max=200)])
    country = CountryField(
        "Country", validators=[Optional()], description="Filled in on their registration form."
    )
    submit = SubmitField("Send invitation")


IMPORT_KINDS = [
    SelectChoice("registrations", "Registrations: register these people"),
    SelectChoice("invitees", "Invitees: email each an invitation code to register"),
]


class ImportForm(FlaskForm):
    kind = RadioField(
        "The file holds",
        choices=IMPORT_KINDS,
        default="registrations",
        validators=[InputRequired(message="Choose what the file holds.")],
    )
    file = FileField(
        "CSV file",
        validators=[
            FileRequired(message="Choose the CSV file to import."),
            FileAllowed(["csv", "txt"], message="Choose a CSV file (ending in .csv)."),
        ],
        description="UTF-8, at most 5 MB, the first line naming the columns.",
    )
    notify = BooleanField(
        "Email the imported people that they are registered",
        description="Registrations only: invitees are always emailed their invitation.",
    )
    dry_run = SubmitField("Check the file")
    submit = SubmitField("Import")


class NotArrivedExportForm(DownloadForm):
    """The list of who has not arrived on one day of the event, as a file."""

    day = DateField("Day", validators=[DataRequired()])


class CertificatesForm(FlaskForm):
    """Every certificate of attendance in one PDF: the CSRF token only."""


# --- badges -------------------------------------------------------------------------------------


class BadgeDownloadForm(FlaskForm):
    """Badges as PDF: the layout (a button each) and the CSRF token."""

    layout = SelectField(
        "Layout", choices=[SelectChoice(layout.value, layout.label) for layout in Layout]
    )


class RevokeBadgeForm(FlaskForm):
    """A lost (stolen, misprinted) badge: the desk refuses it from now on."""

    reason = StringField(
        "Reason",
        validators=[DataRequired(message="Say why: lost, stolen, misprinted."), Length(max=200)],
        filters=[lambda value: value.strip() if value else value],
        description="Kept in the badge's history and the audit log.",
    )


class ReissueBadgeForm(RevokeBadgeForm):
    """The badge revoked and a new one issued, with another role if the organiser chooses."""

    role = SelectField(
        "Role on the new badge",
        choices=[SelectChoice("", "The role the registration has")]
        + [SelectChoice(role.value, role.label) for role in BadgeRole],
        validators=[Optional()],
    )


# --- visa letters ---------------------------------------------------------------------------------


class LetterReasonForm(FlaskForm):
    """Withdraw or reissue a visa invitation letter: why, for the audit log."""

    reason = StringField(
        "Reason",
        validators=[DataRequired(message="Give the reason."), Length(max=200)],
        description="Kept in the audit log; the delegate does not see it.",
    )


class LetterDownloadForm(FlaskForm):
    """An organiser's copy of a letter, audited: the CSRF token only."""
