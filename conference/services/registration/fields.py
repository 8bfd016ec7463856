"""What a delegate tells us when registering: every field of the registration form, declared once.

The registration form, the workflow that copies a form into a registration, the CSV import,
the demo, the exports and the pages that show a registration all read `FIELDS`. A new field is
a column on `Registration`, its migration and one entry here; its length limit is the column's.
"""

import enum
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from conference.countries import country_name
from conference.models import Registration


class Kind(enum.StrEnum):
    """How a field is asked and what its value is."""

    TEXT = "text"  # one line of text
    PARAGRAPH = "paragraph"  # a few lines of text
    COUNTRY = "country"  # an ISO 3166-1 alpha-2 code, picked from a searchable list
    # One of the event's partners, or another organisation typed in: two columns,
    # `organisation` (the partner) and `organisation_other` (the typed name).
    ORGANISATION = "organisation"
    YES_NO = "yes/no"  # a question answered yes or no
    # A tick box, unticked unless given; stored in the consent table (`Consent`), with the
    # version of its question, when it was given and when withdrawn.
    CONSENT = "consent"


class ExportList(enum.StrEnum):
    """The organisers' exports a field can appear in."""

    PARTICIPANTS = "participants"  # a column the organiser may choose
    SECURITY = "security"  # a column of the venue's security list (approved delegates)
    CATERING = "catering"  # what the catering summary counts, for each day


@dataclass(frozen=True)
class Section:
    """A part of the registration form: a fieldset with its legend."""

    name: str
    legend: str
    note: str = ""


SECTIONS = (
    Section("work", "Your work"),
    Section(
        "needs",
        "Your needs",
        "Seen only by the organisers, and used only to look after you at the conference.",
    ),
    Section(
        "consent",
        "Consent",
        "Each is separate and up to you. You can give or withdraw each one at any time on your "
        "registration page.",
    ),
)

YES_NO_KINDS = (Kind.YES_NO, Kind.CONSENT)
TEXT_KINDS = (Kind.TEXT, Kind.PARAGRAPH)


@dataclass(frozen=True)
class RegistrationField:
    """One thing the delegate tells us, and where it goes."""

    name: str  # the attribute of `Registration` it is stored in
    label: str  # short: beside the value on pages, and the export's column header
    kind: Kind
    section: str  # the name of its `Section` on the form
    question: str = ""  # the form's label, when it is more than the short label
    help: str = ""  # the form's help text under the field
    required: bool = False
    required_message: str = ""  # the form's words when it is left out; a default otherwise
    column: str = ""  # its column in a CSV import and its key in the exports; default `name`
    importable: bool = True  # False: a CSV import does not take it (nobody consents for another)
    exports: frozenset[ExportList] = frozenset({ExportList.PARTICIPANTS})
    # Whether the delegate may still change it once the registration is approved.
    after_approval: bool = False
    # Special-category or sensitive data: seen only by the roles allowed it (docs/access.md).
    sensitive: bool = False
    answers: tuple[str, str] = ("Yes", "No")  # how pages word a yes or a no
    # A consent's: the version of its question, stored with each consent; a new wording is a
    # new version.
    version: str = ""
    empty: str = ""  # what pages show when it is left blank
    # What delegates typically answer; the demo's fictional delegates pick from these ("" is
    # a delegate who leaves it blank).
    examples: tuple[str, ...] = field(default=(), repr=False)

    @property
    def csv_column(self) -> str:
        return self.column or self.name

    @property
    def form_label(self) -> str:
        return self.question or self.label

    @property
    def max_length(self) -> int | None:
        """The longest text the field takes: its column's length, written once, in the model."""
        if self.kind == Kind.ORGANISATION:
            return Registration.__table__.c[f"{self.name}_other"].type.length
        if self.kind in TEXT_KINDS:
            return Registration.__table__.c[self.name].type.length
        return None

    @property
    def purpose(self) -> str:
        """A consent's purpose in the consent table: its name without `consent_`."""
        return self.name.removeprefix("consent_")

    @property
    def stored_in(self) -> tuple[str, ...]:
        """The columns of the `registration` table that hold it (a consent has its own table)."""
        if self.kind == Kind.ORGANISATION:
            return (f"{self.name}_id", f"{self.name}_other")
        if self.kind == Kind.CONSENT:
            return ()
        return (self.name,)

    @property
    def value_names(self) -> tuple[str, ...]:
        """Its keys in `RegistrationDetails`: an organisation comes with the name typed in."""
        if self.kind == Kind.ORGANISATION:
            return (self.name, f"{self.name}_other")
        return (self.name,)

    @property
    def blank(self) -> Any:
        """Its value when the delegate gives none."""
        if self.kind in YES_NO_KINDS:
            return False
        return None if self.kind == Kind.ORGANISATION else ""

    def value_of(self, registration: Registration) -> Any:
        """The registration's answer, as one value: an organisation by its name."""
        if self.kind == Kind.ORGANISATION:
            return registration.organisation_name
        if self.kind == Kind.CONSENT:
            return registration.consents_to(self.purpose)
        return getattr(registration, self.name)

    def shown(self, value: Any) -> str:
        """An answer as the pages word it (`value_of` gives one)."""
        if self.kind in YES_NO_KINDS:
            return self.answers[0] if value else self.answers[1]
        if self.kind == Kind.COUNTRY:
            return country_name(value)
        return value or self.empty

    def exported(self, value: Any) -> str:
        """An answer as a cell of an export: yes or no, a country's name, the text."""
        if self.kind in YES_NO_KINDS:
            return "yes" if value else "no"
        if self.kind == Kind.COUNTRY:
            return country_name(value)
        return value or ""


FIELDS: tuple[RegistrationField, ...] = (
    RegistrationField(
        "organisation",
        "Organisation",
        Kind.ORGANISATION,
        "work",
        required=True,
        required_message="Choose your organisation, or 'Another organisation'.",
        exports=frozenset({ExportList.PARTICIPANTS, ExportList.SECURITY}),
    ),
    RegistrationField(
        "country",
        "Country",
        Kind.COUNTRY,
        "work",
        help="The country you work in.",
        required=True,
        required_message="Choose the country you work in.",
        exports=frozenset({ExportList.PARTICIPANTS, ExportList.SECURITY}),
    ),
    RegistrationField(
        "job_title",
        "Job title",
        Kind.TEXT,
        "work",
        required=True,
        required_message="Type your job title.",
        examples=(
            "Detective Inspector",
            "Senior Investigator",
            "Victim Identification Specialist",
            "Liaison Officer",
            "Policy Adviser",
            "Programme Manager",
            "Safety Policy Lead",
            "Researcher",
            "Prosecutor",
            "Intelligence Analyst",
            "Head of Unit",
            "Child Protection Officer",
        ),
    ),
    RegistrationField(
        "dietary_needs",
        "Dietary needs",
        Kind.PARAGRAPH,
        "needs",
        help="For lunch and dinner on both days, e.g. vegetarian, halal, allergies.",
        exports=frozenset({ExportList.PARTICIPANTS, ExportList.CATERING}),
        after_approval=True,
        sensitive=True,
        empty="None",
        examples=(
            *("",) * 4,
            "Vegetarian",
            "Vegan",
            "Halal",
            "No pork",
            "Gluten-free",
            "Lactose-free",
        ),
    ),
    RegistrationField(
        "accessibility_needs",
        "Accessibility needs",
        Kind.PARAGRAPH,
        "needs",
        help="Anything that helps you take part: step-free access, seating, a hearing loop.",
        # The security desk at the door sees who comes in a wheelchair or needs the lift.
        exports=frozenset({ExportList.PARTICIPANTS, ExportList.SECURITY}),
        after_approval=True,
        sensitive=True,
        empty="None",
        examples=(*("",) * 22, "Wheelchair access", "Step-free access", "A hearing loop"),
    ),
    RegistrationField(
        "invitation_letter_needed",
        "Invitation letter",
        Kind.YES_NO,
        "needs",
        question="Do you need an invitation letter for your visa?",
        column="invitation_letter",
        answers=("Needed", "Not needed"),
    ),
    # Nobody consents for another: a CSV import takes none of these, and no export shows them.
    RegistrationField(
        "consent_participant_list",
        "Participant directory",
        Kind.CONSENT,
        "consent",
        question="Show my name, organisation and country in the participant directory, which "
        "only the other approved delegates see.",
        importable=False,
        exports=frozenset(),
        answers=("Listed for other approved delegates", "Not listed"),
        version="2014-11",
    ),
    RegistrationField(
        "consent_directory_email",
        "Email address in the directory",
        Kind.CONSENT,
        "consent",
        question="Also show my email address in the participant directory.",
        help="Only while you are listed in the directory.",
        importable=False,
        exports=frozenset(),
        answers=("Shown in the directory", "Not shown"),
        version="2014-11",
    ),
    RegistrationField(
        "consent_hotel",
        "Hotel",
        Kind.CONSENT,
        "consent",
        question="Share my name and the days I attend with the conference hotel, so that it "
        "can hold a room for me at the conference rate.",
        importable=False,
        exports=frozenset(),
        answers=("Shared with the hotel", "Not shared"),
        version="2014-11",
    ),
    RegistrationField(
        "consent_photos",
        "Photos",
        Kind.CONSENT,
        "consent",
        question="I agree to appear in the photos taken at the conference, which the "
        "organisers share with the delegates and partners.",
        help="Without it, the photographers leave you out of their pictures.",
        importable=False,
        exports=frozenset(),
        answers=("May appear in photos", "Not in photos"),
        version="2014-11",
    ),
)

BY_NAME: Mapping[str, RegistrationField] = MappingProxyType({f.name: f for f in FIELDS})


CONSENTS: tuple[RegistrationField, ...] = tuple(f for f in FIELDS if f.kind == Kind.CONSENT)


def in_export(export: ExportList) -> list[RegistrationField]:
    return [f for f in FIELDS if export in f.exports]


def visible(sensitive: bool) -> tuple[RegistrationField, ...]:
    """The fields a reader sees: every one for those allowed the sensitive ones, else the rest."""
    return tuple(f for f in FIELDS if sensitive or not f.sensitive)


def changeable_after_approval() -> tuple[RegistrationField, ...]:
    return tuple(f for f in FIELDS if f.after_approval)


def changeable_now(registration: Registration) -> tuple[RegistrationField, ...]:
    """The fields the delegate may change at the registration's status: all of them while it
    is pending, those declared `after_approval` once it is approved, none otherwise."""
    if registration.allows("edit"):
        return FIELDS
    if registration.allows("correct"):
        return changeable_after_approval()
    return ()


class RegistrationDetails(Mapping):
    """What the delegate tells us on the registration form, by field name (`value_names`).

    A change may carry only some fields; a new registration's missing ones are blank.
    """

    def __init__(self, **values: Any):
        known = {name for f in FIELDS for name in f.value_names}
        unknown = sorted(set(values) - known)
        if unknown:
            raise TypeError(f"not fields of a registration: {', '.join(unknown)}")
        self._values = dict(values)

    def __getitem__(self, name: str) -> Any:
        return self._values[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        return f"RegistrationDetails({self._values!r})"

    def gives(self, f: RegistrationField) -> bool:
        return f.name in self._values

    def value(self, f: RegistrationField) -> Any:
        return self._values.get(f.name, f.blank)

    def other_organisation(self, f: RegistrationField) -> str | None:
        """The organisation typed in, for a field of kind organisation without a partner."""
        return self._values.get(f"{f.name}_other")
