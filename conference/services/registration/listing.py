"""The organisers' view of an event's registrations: filter, search, sort, count.

One `RegistrationFilter` describes what the organiser is looking at; the list page, the bulk
actions and the exports all ask `registrations_query` with it, so they always agree.
"""

from collections.abc import Mapping
from dataclasses import dataclass, fields

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager, selectinload

from conference.extensions import db
from conference.models import (
    CheckIn,
    Event,
    Organisation,
    ProgrammeSession,
    Registration,
    SessionKind,
    SessionSignup,
    SignupStatus,
    Tag,
    User,
)
from conference.models.registration import registration_tag
from conference.services.search import contains


@dataclass(frozen=True)
class RegistrationFilter:
    """What to show; an empty field filters nothing. Mirrors the list page's query string."""

    q: str = ""  # free text: name, email, organisation, reference
    status: str = ""
    country: str = ""  # ISO 3166-1 alpha-2
    organisation: int | None = None  # an organisation's id
    kind: str = ""  # an OrganisationKind value
    tag: int | None = None  # a tag's id
    letter: bool | None = None  # invitation letter needed
    dietary: bool | None = None  # has dietary needs
    workshop: int | None = None  # a programme session's id: a confirmed place in it
    workshop_chosen: bool | None = None  # has a confirmed place in any workshop
    checked_in: bool | None = None  # checked in at the desk on any day

    def as_args(self) -> dict[str, str]:
        """The filter as query-string arguments, leaving out the empty ones."""
        args = {}
        for field in fields(self):
            value = getattr(self, field.name)
            if value not in ("", None):
                args[field.name] = ("yes" if value else "no") if isinstance(value, bool) else value
        return args

    @classmethod
    def from_args(cls, args: Mapping[str, object]) -> "RegistrationFilter":
        """The filter that `as_args` wrote (a stored message's audience, say); what does not
        read as its field's type is left empty rather than guessed."""
        values: dict[str, object] = {}
        for field in fields(cls):
            raw = args.get(field.name)
            if raw in ("", None):
                continue
            if field.type == (bool | None):
                values[field.name] = {"yes": True, "no": False}.get(str(raw))
            elif field.type == (int | None):
                values[field.name] = int(raw) if str(raw).isdigit() else None
            else:
                values[field.name] = str(raw)
        return cls(**values)


# The list's columns an organiser can sort by; "-" in front of a key sorts it descending.
SORTS: dict[str, tuple[str, sa.ColumnElement]] = {
    "name": ("Name", sa.func.lower(User.name)),
    "organisation": (
        "Organisation",
        sa.func.lower(sa.func.coalesce(Organisation.name, Registration.organisation_other)),
    ),
    "country": ("Country", Registration.country),
    "status": ("Status", Registration.status),
    "registered": ("Registered", Registration.created_at),
    "reference": ("Reference", Registration.reference),
}
DEFAULT_SORT = "-registered"


def sort_choices() -> list[tuple[str, str]]:
    """Every sort the list offers, as (key, label) pairs: each column up and down."""
    choices = []
    for key, (label, _) in SORTS.items():
        first, then = ("newest", "oldest") if key == "registered" else ("A–Z", "Z–A")
        descending_first = key == "registered"
        ascending = (key, f"{label}, {then if descending_first else first}")
        descending = (f"-{key}", f"{label}, {first if descending_first else then}")
        choices += [descending, ascending] if descending_first else [ascending, descending]
    return choices


def _ordered(query: sa.Select, sort: str) -> sa.Select:
    key = sort.removeprefix("-")
    if key not in SORTS:
        raise ValueError(f"unknown sort {sort!r}")
    column = SORTS[key][1]
    # The id breaks ties, so a page never repeats or skips a registration.
    if sort.startswith("-"):
        return query.order_by(column.desc(), Registration.id.desc())
    return query.order_by(column.asc(), Registration.id.asc())


def registrations_query(
    event: Event, filters: RegistrationFilter = RegistrationFilter(), sort: str = DEFAULT_SORT
) -> sa.Select:
    """The event's registrations that match `filters`, in the `sort` order (newest first by
    default), with user and organisation loaded in the same query (and the users' password
    hashes left out)."""
    query = (
        sa.select(Registration)
        .join(Registration.user)
        .outerjoin(Registration.organisation)
        .where(Registration.event_id == event.id)
        .options(
            contains_eager(Registration.user).load_only(
                User.id, User.name, User.email, User.locale
            ),
            contains_eager(Registration.organisation),
        )
    )
    query = _ordered(query, sort)
    if filters.status:
        query = query.where(Registration.status == filters.status)
    if filters.country:
        query = query.where(Registration.country == filters.country)
    if filters.organisation is not None:
        query = query.where(Registration.organisation_id == filters.organisation)
    if filters.kind:
        query = query.where(Organisation.kind == filters.kind)
    if filters.tag is not None:
        query = query.where(
            sa.exists().where(
                registration_tag.c.registration_id == Registration.id,
                registration_tag.c.tag_id == filters.tag,
            )
        )
    if filters.letter is not None:
        query = query.where(Registration.invitation_letter_needed.is_(filters.letter))
    if filters.dietary is not None:
        has_needs = Registration.dietary_needs != ""
        query = query.where(has_needs if filters.dietary else sa.not_(has_needs))
    if filters.workshop is not None:
        query = query.where(_has_workshop_place(SessionSignup.session_id == filters.workshop))
    if filters.workshop_chosen is not None:
        chosen = _has_workshop_place()
        query = query.where(chosen if filters.workshop_chosen else sa.not_(chosen))
    if filters.checked_in is not None:
        arrived = sa.exists().where(CheckIn.registration_id == Registration.id)
        query = query.where(arrived if filters.checked_in else sa.not_(arrived))
    search = filters.q.strip()
    if search:
        query = query.where(
            sa.or_(
                *(
                    contains(column, search)
                    for column in (
                        User.name,
                        User.email,
                        Organisation.name,
                        Organisation.short_name,
                        Registration.organisation_other,
                        Registration.reference,
                    )
                )
            )
        )
    return query


def _has_workshop_place(*where: sa.ColumnElement) -> sa.Exists:
    """The registration holds a confirmed place (not one on a waiting list) in a workshop."""
    return sa.exists().where(
        SessionSignup.registration_id == Registration.id,
        SessionSignup.status == SignupStatus.CONFIRMED,
        *where,
    )


def registration_page(
    event: Event, filters: RegistrationFilter, sort: str, page: int, per_page: int
):
    """One page of the list, with each registration's tags: a fixed number of queries, however
    many registrations the event has (the page, its count, and the tags of its rows)."""
    return db.paginate(
        registrations_query(event, filters, sort).options(selectinload(Registration.tags)),
        page=page,
        per_page=per_page,
        max_per_page=per_page,
        error_out=False,
    )


def countries_of(event: Event) -> list[str]:
    """The countries to filter by: the invited ones and any a delegate registered from."""
    registered = db.session.scalars(
        sa.select(Registration.country).where(Registration.event_id == event.id).distinct()
    ).all()
    return sorted(set(event.participating_countries or []) | set(registered))


def status_counts(event: Event) -> dict[str, int]:
    rows = db.session.execute(
        sa.select(Registration.status, sa.func.count())
        .where(Registration.event_id == event.id)
        .group_by(Registration.status)
    ).all()
    return {status: count for status, count in rows}


def registration_by_reference(event: Event, reference: str) -> Registration | None:
    return db.session.scalars(
        sa.select(Registration).where(
            Registration.event_id == event.id, Registration.reference == reference.upper()
        )
    ).first()


def tags_of(event: Event) -> list[Tag]:
    return db.session.scalars(
        sa.select(Tag).where(Tag.event_id == event.id).order_by(Tag.name)
    ).all()


def workshops_of(event: Event) -> list[ProgrammeSession]:
    """The event's workshops, in the order of the timetable, to filter by."""
    return db.session.scalars(
        sa.select(ProgrammeSession)
        .where(ProgrammeSession.event_id == event.id, ProgrammeSession.kind == SessionKind.WORKSHOP)
        .order_by(ProgrammeSession.starts_at, ProgrammeSession.title)
    ).all()
