"""The participant directory: the approved delegates of an event who consented to be listed,
for the other approved delegates of that event and nobody else."""

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from conference.countries import every_country, reading_order
from conference.extensions import db
from conference.models import Consent, ConsentPurpose, Event, Organisation, Registration, User
from conference.models import RegistrationStatus as Status
from conference.services.errors import NotAllowed
from conference.services.search import contains

LONGEST_SEARCH = 100


@dataclass(frozen=True)
class ListedDelegate:
    name: str
    organisation: str
    country: str  # ISO 3166-1 alpha-2
    email: str | None  # only with its own consent


def require_directory_reader(event: Event, user: User) -> None:
    """Only a delegate whose registration for this event is approved reads its directory."""
    approved = db.session.scalar(
        sa.select(Registration.id).where(
            Registration.event_id == event.id,
            Registration.user_id == user.id,
            Registration.status == Status.APPROVED,
        )
    )
    if approved is None:
        raise NotAllowed(
            f"The participant directory of {event.short_name} is open to its approved "
            "delegates only."
        )


def _given(purpose: ConsentPurpose):
    consent = aliased(Consent)
    return consent, sa.and_(
        consent.registration_id == Registration.id,
        consent.purpose == purpose,
        consent.withdrawn_at.is_(None),
    )


def _countries_named(search: str) -> list[str]:
    wanted = reading_order(search)
    return [code for code, name in every_country() if wanted in reading_order(name)]


def listed_delegates(event: Event, search: str = "") -> list[ListedDelegate]:
    """The approved delegates who consent to the directory, by name; `search` matches a name,
    an organisation or a country's name. The email address only of those who consent to show it.
    Consents are read at every call: a withdrawal counts at once."""
    listed, listed_on = _given(ConsentPurpose.PARTICIPANT_LIST)
    email, email_on = _given(ConsentPurpose.DIRECTORY_EMAIL)
    organisation = sa.func.coalesce(Organisation.name, Registration.organisation_other)
    query = (
        sa.select(User.name, organisation, Registration.country, User.email, email.id)
        .select_from(Registration)
        .join(User, User.id == Registration.user_id)
        .join(listed, listed_on)
        .outerjoin(email, email_on)
        .outerjoin(Organisation, Organisation.id == Registration.organisation_id)
        .where(Registration.event_id == event.id, Registration.status == Status.APPROVED)
        .order_by(sa.func.lower(User.name), User.id)
    )
    search = search.strip()[:LONGEST_SEARCH]
    if search:
        query = query.where(
            sa.or_(
                contains(User.name, search),
                contains(organisation, search),
                Registration.country.in_(_countries_named(search)),
            )
        )
    return [
        ListedDelegate(name, organisation_name or "", country, address if shown else None)
        for name, organisation_name, country, address, shown in db.session.execute(query)
    ]
