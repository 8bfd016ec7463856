"""One way to write the audit log."""

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from conference.extensions import db
from conference.models import AuditEntry, User, utcnow


def log_action(
    action: str,
    obj: Any,
    *,
    actor: User | None,
    event_id: int | None = None,
    at: datetime | None = None,
    into: Session | None = None,
    **details: Any,
) -> AuditEntry:
    """Record that `actor` (None for the system itself) did `action` to `obj`, now or `at`.

    Written in the caller's transaction, so an entry exists exactly when its change does;
    `into` names another session for an entry that outlives the request's (a refused log-in's).
    """
    session = into or db.session
    if obj.id is None:
        session.flush()  # obj needs its id
    entry = AuditEntry(
        action=action,
        object_type=type(obj).__name__.lower(),
        object_id=obj.id,
        actor_id=actor.id if actor else None,
        event_id=event_id,
        details=details,
        created_at=at or utcnow(),
    )
    session.add(entry)
    return entry


def history_of(obj: Any) -> list[AuditEntry]:
    """What happened to one object, oldest first."""
    return db.session.scalars(
        sa.select(AuditEntry)
        .where(AuditEntry.object_type == type(obj).__name__.lower(), AuditEntry.object_id == obj.id)
        .order_by(AuditEntry.created_at, AuditEntry.id)
    ).all()
