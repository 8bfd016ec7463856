"""The organisers' view of an event's registrations: search, filter, page, count."""

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager

from conference.extensions import db
from conference.models import Event, Organisation, Registration, User


def registrations_query(event: Event, *, search: str = "", status: str = "") -> sa.Select:
    """The event's registrations, newest first, matching a name, email or organisation."""
    query = (
        sa.select(Registration)
        .join(Registration.user)
        .outerjoin(Registration.organisation)
        .where(Registration.event_id == event.id)
        .options(
            # The joins above fill these: one query for the page, without password hashes.
            contains_eager(Registration.user).load_only(User.id, User.name, User.email),
            contains_eager(Registration.organisation),
        )
        .order_by(Registration.created_at.desc(), Registration.id.desc())
    )
    if status:
        query = query.where(Registration.status == status)
    search = search.strip()
    if search:
        pattern = "%" + search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(
            sa.or_(
                User.name.ilike(pattern, escape="\\"),
                User.email.ilike(pattern, escape="\\"),
                Organisation.name.ilike(pattern, escape="\\"),
                Organisation.short_name.ilike(pattern, escape="\\"),
                Registration.organisation_other.ilike(pattern, escape="\\"),
                Registration.reference.ilike(pattern, escape="\\"),
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
