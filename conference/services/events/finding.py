"""Finding events: by their address, all of them, the ones a person organises."""

import sqlalchemy as sa

from conference.extensions import db
from conference.models import Event, TeamMember, User

# Every request for an event's pages runs this query: built once, it costs a query's execution
# alone (building it anew was a tenth of a public programme page's time).
_BY_SLUG = sa.select(Event).where(Event.slug == sa.bindparam("slug"))


def event_by_slug(slug: str) -> Event | None:
    """The event at this address (`/<slug>/...`), or None."""
    return db.session.scalar(_BY_SLUG, {"slug": slug})


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
