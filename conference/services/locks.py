"""Row locks that serialise changes: an event's seats, a session's places, a registration's
workshop places and letters.

Each is a no-op UPDATE of the row. On PostgreSQL it locks that row until the transaction ends,
serialising changes across app instances, and waits at most LOCK_TIMEOUT (then the request
answers 503 "busy"). On SQLite it starts the write transaction before anything is counted, so
two requests cannot both count the same free place (a SELECT ... FOR UPDATE would do nothing
there).
"""

import sqlalchemy as sa

from conference.extensions import db
from conference.models import Event, ProgrammeSession, Registration

LOCK_TIMEOUT = "5s"


def _set_lock_timeout() -> None:
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(sa.text(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'"))


def lock_event(event_id: int) -> Event:
    """Take the event's write lock; every change to its seats (and its team, settings and
    programme versions) goes through here, then reads the event afresh."""
    _set_lock_timeout()
    db.session.execute(
        sa.update(Event)
        .where(Event.id == event_id)
        .values(capacity=Event.capacity)
        .execution_options(synchronize_session=False)
    )
    return db.session.scalars(
        sa.select(Event).where(Event.id == event_id).execution_options(populate_existing=True)
    ).one()


def lock_session(session_id: int) -> ProgrammeSession | None:
    """Take a programme session's lock; every change to its places (a sign-up, a leaving, a new
    capacity) goes through here before it counts them. Returns the session read afresh."""
    _set_lock_timeout()
    db.session.execute(
        sa.update(ProgrammeSession)
        .where(ProgrammeSession.id == session_id)
        # Naming updated_at keeps its onupdate from firing: taking a lock is not an edit.
        .values(capacity=ProgrammeSession.capacity, updated_at=ProgrammeSession.updated_at)
        .execution_options(synchronize_session=False)
    )
    return db.session.scalars(
        sa.select(ProgrammeSession)
        .where(ProgrammeSession.id == session_id)
        .execution_options(populate_existing=True)
    ).first()


def lock_registration(registration_id: int) -> Registration:
    """Take a registration's lock; every change to what hangs on its status (a delegate's
    workshop sign-ups, which the clash rule compares; its visa letters) goes through here, then
    reads the registration afresh: another request may have cancelled or decided it meanwhile.
    """
    _set_lock_timeout()
    db.session.execute(
        sa.update(Registration)
        .where(Registration.id == registration_id)
        # Naming updated_at keeps its onupdate from firing: taking a lock is not an edit.
        .values(updated_at=Registration.updated_at)
        .execution_options(synchronize_session=False)
    )
    return db.session.scalars(
        sa.select(Registration)
        .where(Registration.id == registration_id)
        .execution_options(populate_existing=True)
    ).one()
