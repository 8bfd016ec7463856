"""The forms of the registration list and page: filter and sort, bulk actions, tags, notes.

Forms check the shape of what was sent; the services check the rules.
"""

import secrets

from flask_wtf import FlaskForm
from wtforms import (
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, Regexp

from conference.countries import by_name
from conference.forms import ColourField
from conference.models import OrganisationKind, RegistrationStatus
from conference.services.registration.listing import DEFAULT_SORT, RegistrationFilter, sort_choices

YES_NO = [SelectChoice("", "Any"), SelectChoice("yes", "Yes"), SelectChoice("no", "No")]


class RegistrationFilterForm(FlaskForm):
    """The list's search, filters and order; read from the query string, so no CSRF token.

    The filters live in the URL: a filtered list can be bookmarked, shared and gone back to.
    """

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
    country = SelectField("Country", validators=[Optional()])
    organisation = SelectField("Organisation", validators=[Optional()])
    kind = SelectField(
        "Kind of organisation",
        choices=[SelectChoice("", "All kinds")]
        + [SelectChoice(kind.value, kind.label) for kind in OrganisationKind],
        validators=[Optional()],
    )
    tag = SelectField("Tag", validators=[Optional()])
    letter = SelectField("Invitation letter", choices=YES_NO, validators=[Optional()])
    dietary = SelectField("Dietary needs", choices=YES_NO, validators=[Optional()])
    sort = SelectField(
        "Sort by",
        choices=[SelectChoice(key, label) for key, label in sort_choices()],
        default=DEFAULT_SORT,
    )

    def __init__(self, formdata, *, countries, organisations, tags, sensitive: bool):
        super().__init__(formdata)
        if not sensitive:  # who has dietary needs is itself theirs to know: no such filter
            self.dietary.choices = YES_NO[:1]
        self.country.choices = [SelectChoice("", "All countries")] + [
            SelectChoice(code, name) for code, name in by_name(countries)
        ]
        self.organisation.choices = [SelectChoice("", "All organisations")] + [
            SelectChoice(str(organisation.id), organisation.name) for organisation in organisations
        ]
        self.tag.choices = [SelectChoice("", "All tags")] + [
            SelectChoice(str(tag.id), tag.name) for tag in tags
        ]
        if not self.sort.data:
            self.sort.data = DEFAULT_SORT

    def to_filter(self) -> RegistrationFilter:
        def yes_no(value):
            return {"yes": True, "no": False}.get(value)

        return RegistrationFilter(
            q=(self.q.data or "").strip(),
            status=self.status.data or "",
            country=self.country.data or "",
            organisation=int(self.organisation.data) if self.organisation.data else None,
            kind=self.kind.data or "",
            tag=int(self.tag.data) if self.tag.data else None,
            letter=yes_no(self.letter.data),
            dietary=yes_no(self.dietary.data),
        )

    @property
    def narrowed(self) -> bool:
        """Whether anything but the order is chosen, i.e. the list shows less than everything."""
        return any(self.data[name] for name in self.data if name != "sort")


BULK_ACTIONS = [
    SelectChoice("approve", "Approve"),
    SelectChoice("waitlist", "Put on the waiting list"),
    SelectChoice("reject", "Reject"),
    SelectChoice("tag", "Add a tag"),
    SelectChoice("untag", "Remove a tag"),
    SelectChoice("message", "Send a message"),
]


def new_batch() -> str:
    return secrets.token_hex(16)


class BulkActionForm(FlaskForm):
    action = SelectField(
        "Action",
        choices=BULK_ACTIONS,
        description="Approval fills the places left in order of sign-up and puts the rest on "
        "the waiting list. Decisions and messages reach each delegate by email; tags stay "
        "within the team.",
    )
    scope = RadioField(
        "Apply to",
        choices=[
            SelectChoice("selected", "The ticked registrations"),
            SelectChoice("all", "Every matching registration"),
        ],
        default="selected",
    )
    # The ticked rows' references; the table renders the checkboxes itself.
    selected = SelectMultipleField("Selected", validate_choice=False)
    # Its own id: the filter form above it on the page has a "tag" too.
    tag = SelectField("Tag", validators=[Optional()], id="bulk-tag")
    reason = TextAreaField(
        "Reason for the rejection",
        validators=[Optional(), Length(max=2000)],
        description="Sent to each delegate in the rejection email.",
    )
    subject = StringField(
        "Subject",
        validators=[
            Optional(),
            Length(max=150),
            Regexp(r"^[^\r\n]*$", message="Keep the subject on one line."),
        ],
    )
    body = TextAreaField(
        "Message",
        validators=[Optional(), Length(max=10000)],
        description="Each delegate gets it by email, addressed by name, with their reference.",
    )
    # A one-time token: the same form sent twice does its work once.
    batch = HiddenField(default=new_batch, validators=[InputRequired(), Regexp(r"^[0-9a-f]{32}$")])

    def __init__(self, *args, tags=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.tag.choices = [SelectChoice("", "Choose a tag")] + [
            SelectChoice(str(tag.id), tag.name) for tag in tags
        ]

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        needed = {
            "reject": [(self.reason, "Give the reason; each delegate will read it.")],
            "tag": [(self.tag, "Choose the tag to add.")],
            "untag": [(self.tag, "Choose the tag to remove.")],
            "message": [
                (self.subject, "Give the message a subject."),
                (self.body, "Write the message."),
            ],
        }.get(self.action.data, [])
        for field, message in needed:
            if not (field.data or "").strip():
                field.errors = [*field.errors, message]
                valid = False
        if self.scope.data == "selected" and not self.selected.data:
            self.selected.errors = [
                "Tick at least one registration, or apply the action to every matching one."
            ]
            valid = False
        if any(len(reference) > 20 for reference in self.selected.data or []):
            self.selected.errors = [*self.selected.errors, "That selection is not a reference."]
            valid = False
        return valid


class TagForm(FlaskForm):
    name = StringField(
        "Name",
        validators=[DataRequired(message="Give the tag a name."), Length(max=40)],
        description="For example Speaker, VIP or Needs visa.",
    )
    colour = ColourField()


class TagChoiceForm(FlaskForm):
    """One of the event's tags: to delete it, or to put it on or take it off a registration."""

    tag = IntegerField("Tag", validators=[InputRequired(message="Choose a tag.")])


class NoteForm(FlaskForm):
    body = TextAreaField(
        "Note",
        validators=[DataRequired(message="Write the note first."), Length(max=5000)],
        description="Internal: the team sees it, the delegate never does.",
    )
