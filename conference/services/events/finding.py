"""Finding events: by their address, all of them, the ones a person organises."""

import sqlalchemy as sa

from conference.extensions import db
from conference.models import Event, TeamMember, User


def event_by_slug(slug: str) -> Event | None:
    return db.session.scalars(sa.select(Event).where(Event.slug == slug)).first()


def all_events() -> list[Event]:
    """Every event, soonest first."""
    return db.session.scalars(sa.select(Event).order_by(Event.starts_on, Event.id)).all()


def events_organised_by(user: User) -> list[Event]:
    return db.session.scalars(
        sa.select(Event)
        .join(TeamMember, TeamMember.event_id == Event.id)
        .where(TeamMember.user_id == user.id)
        .order_by(Event.starts_on, Event.id)
    ).all()
