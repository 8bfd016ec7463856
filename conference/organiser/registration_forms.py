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
from conference.models import LARGEST_ID, OrganisationKind, RegistrationStatus
from conference.services.registration.listing import DEFAULT_SORT, RegistrationFilter, sort_choices

YES_NO = [SelectChoice("", "Any"), SelectChoice("yes", "Yes"), SelectChoice("no", "No")]


class RegistrationFilterFields(FlaskForm):
    """The fields of a RegistrationFilter: the list's filters, and a message's group."""

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
    workshop = SelectField("Workshop", validators=[Optional()], description="A confirmed place")
    workshop_chosen = SelectField(
        "Has a workshop place",
        choices=YES_NO,
        validators=[Optional()],
        description="No: those who have not chosen a workshop",
    )
    checked_in = SelectField("Checked in", choices=YES_NO, validators=[Optional()])


class RegistrationFilterForm(RegistrationFilterFields):
    """The list's search, filters and order; read from the query string, so no CSRF token.

    The filters live in the URL: a filtered list can be bookmarked, shared and gone back to.
    """

    class Meta:
        csrf = False

    sort = SelectField(
        "Sort by",
        choices=[SelectChoice(key, label) for key, label in sort_choices()],
        default=DEFAULT_SORT,
    )

    def __init__(
        self, formdata, *, countries, organisations, tags, sensitive: bool, workshops=(), **kwargs
    ):
        super().__init__(formdata, **kwargs)
        offer_audience_choices(self, countries, organisations, tags, sensitive, workshops)
        if not self.sort.data:
            self.sort.data = DEFAULT_SORT

    def to_filter(self) -> RegistrationFilter:
        return audience_filter(self)

    @property
    def narrowed(self) -> bool:
        """Whether anything but the order is chosen, i.e. the list shows less than everything."""
        return any(self.data[name] for name in self.data if name != "sort")


def offer_audience_choices(form, countries, organisations, tags, sensitive, workshops) -> None:
    """The event's own choices in a form with the registration filter's fields (the list's, a
    message's group)."""
    if not sensitive:  # who has dietary needs is itself theirs to know: no such filter
        form.dietary.choices = YES_NO[:1]
    form.country.choices = [SelectChoice("", "All countries")] + [
        SelectChoice(code, name) for code, name in by_name(countries)
    ]
    form.organisation.choices = [SelectChoice("", "All organisations")] + [
        SelectChoice(str(organisation.id), organisation.name) for organisation in organisations
    ]
    form.tag.choices = [SelectChoice("", "All tags")] + [
        SelectChoice(str(tag.id), tag.name) for tag in tags
    ]
    form.workshop.choices = [SelectChoice("", "Any or none")] + [
        SelectChoice(str(session.id), session.title) for session in workshops
    ]


def audience_filter(form) -> RegistrationFilter:
    """The RegistrationFilter a form with the filter's fields describes; a field its validation
    refused filters nothing (the page says what was wrong with it)."""

    def chosen(field) -> str:
        return "" if field.errors or not isinstance(field.data, str) else field.data

    def yes_no(field):
        return {"yes": True, "no": False}.get(chosen(field))

    def number(field):
        value = chosen(field)
        digits = value.isascii() and value.isdigit()
        return int(value) if digits and int(value) <= LARGEST_ID else None

    return RegistrationFilter(
        q=chosen(form.q).strip(),
        status=chosen(form.status),
        country=chosen(form.country),
        organisation=number(form.organisation),
        kind=chosen(form.kind),
        tag=number(form.tag),
        letter=yes_no(form.letter),
        dietary=yes_no(form.dietary),
        workshop=number(form.workshop),
        workshop_chosen=yes_no(form.workshop_chosen),
        checked_in=yes_no(form.checked_in),
    )


BULK_ACTIONS = [
    SelectChoice("approve", "Approve"),
    SelectChoice("waitlist", "Put on the waiting list"),
    SelectChoice("reject", "Reject"),
    SelectChoice("tag", "Add a tag"),
    SelectChoice("untag", "Remove a tag"),
]


def new_batch() -> str:
    return secrets.token_hex(16)


class BulkActionForm(FlaskForm):
    action = SelectField(
        "Action",
        choices=BULK_ACTIONS,
        description="Approval fills the places left in order of sign-up and puts the rest on "
        "the waiting list. Decisions reach each delegate by email; tags stay within the team. "
        "To write to these delegates, use “Write a message” above the list.",
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
