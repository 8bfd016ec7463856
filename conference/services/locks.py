"""Row locks that serialise changes to places: an event's seats, a session's places.

Each is a no-op UPDATE of the row. On PostgreSQL it locks that row until the transaction ends,
serialising changes across app instances, and waits at most LOCK_TIMEOUT (then the request
answers 503 "busy"). On SQLite it starts the write transaction before anything is counted, so
two requests cannot both count the same free place (a SELECT ... FOR UPDATE would do nothing
there).
"""

import sqlalchemy as sa

from conference.extensions import db
from conference.models import Event

LOCK_TIMEOUT = "5s"


def lock_event(event_id: int) -> Event:
    """Take the event's write lock; every change to its seats (and its team, settings and
    programme versions) goes through here, then reads the event afresh."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(sa.text(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'"))
    db.session.execute(
        sa.update(Event)
        .where(Event.id == event_id)
        .values(capacity=Event.capacity)
        .execution_options(synchronize_session=False)
    )
    return db.session.scalars(
        sa.select(Event).where(Event.id == event_id).execution_options(populate_existing=True)
    ).one()
