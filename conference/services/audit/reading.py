"""Reading an event's audit log: every entry, newest first, narrowed by who, what and which
registration; `wording` says each entry in words. Writing it is
`conference.services.audit.writing.log_action`'s job alone."""

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from conference.extensions import db
from conference.models import AuditEntry, Event, Registration, User
from conference.services.search import contains


@dataclass(frozen=True)
class AuditFilter:
    who: str = ""  # part of the actor's name or email address
    what: str = ""  # an action, e.g. registration.approved
    registration: str = ""  # a registration's reference, e.g. VGT14-7K3QXA


def entries_query(event: Event, narrow: AuditFilter = AuditFilter()) -> sa.Select:
    """The event's audit entries matching `narrow`, newest first, with their actors."""
    query = (
        sa.select(AuditEntry)
        .where(AuditEntry.event_id == event.id)
        .options(selectinload(AuditEntry.actor))
        .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
    )
    if narrow.who:
        query = query.join(User, User.id == AuditEntry.actor_id).where(
            sa.or_(contains(User.name, narrow.who), contains(User.email, narrow.who))
        )
    if narrow.what:
        query = query.where(AuditEntry.action == narrow.what)
    if narrow.registration:
        reference = narrow.registration.strip().upper()
        registration_id = (
            sa.select(Registration.id)
            .where(Registration.event_id == event.id, Registration.reference == reference)
            .scalar_subquery()
        )
        # Entries about the registration itself, and those about its notes or tags that name it.
        query = query.where(
            sa.or_(
                sa.and_(
                    AuditEntry.object_type == "registration",
                    AuditEntry.object_id == registration_id,
                ),
                AuditEntry.details["reference"].as_string() == reference,
            )
        )
    return query


def actions_in(event: Event) -> list[str]:
    """The kinds of action this event's log holds, for the "what" filter."""
    return db.session.scalars(
        sa.select(AuditEntry.action)
        .where(AuditEntry.event_id == event.id)
        .distinct()
        .order_by(AuditEntry.action)
    ).all()


def action_label(action: str) -> str:
    """registration.approved -> "Registration: approved"."""
    area, _, verb = action.partition(".")
    label = area.replace("_", " ").capitalize()
    return f"{label}: {verb.replace('_', ' ')}" if verb else label
