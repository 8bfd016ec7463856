"""The organisers' view of an event's registrations: filter, search, sort, count.

One `RegistrationFilter` describes what the organiser is looking at; the list page, the bulk
actions and the exports all ask `registrations_query` with it, so they always agree.
"""

from dataclasses import dataclass, fields

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager

from conference.extensions import db
from conference.models import Event, Organisation, Registration, Tag, User
from conference.models.registration import registration_tag


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

    def as_args(self) -> dict[str, str]:
        """The filter as query-string arguments, leaving out the empty ones."""
        args = {}
        for field in fields(self):
            value = getattr(self, field.name)
            if value not in ("", None):
                args[field.name] = ("yes" if value else "no") if isinstance(value, bool) else value
        return args


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def registrations_query(
    event: Event, filters: RegistrationFilter = RegistrationFilter()
) -> sa.Select:
    """The event's registrations that match `filters`, newest first, with user and organisation
    loaded in the same query (and the users' password hashes left out)."""
    query = (
        sa.select(Registration)
        .join(Registration.user)
        .outerjoin(Registration.organisation)
        .where(Registration.event_id == event.id)
        .options(
            contains_eager(Registration.user).load_only(User.id, User.name, User.email),
            contains_eager(Registration.organisation),
        )
        .order_by(Registration.created_at.desc(), Registration.id.desc())
    )
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
    search = filters.q.strip()
    if search:
        pattern = _like(search)
        query = query.where(
            sa.or_(
                *(
                    column.ilike(pattern, escape="\\")
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
