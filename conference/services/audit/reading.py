"""Reading an event's audit log: every entry, newest first, narrowed by who, what and which
registration. Writing it is `conference.services.audit.writing.log_action`'s job alone."""

from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from conference.extensions import db
from conference.models import AuditEntry, Event, Invitation, Registration, TeamInvitation, User
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


# How the log names the kinds of object it knows; any other kind is named after its table.
OBJECT_NAMES = {
    "registration": "Registration",
    "user": "Person",
    "teaminvitation": "Team invitation",
    "invitation": "Invitation",
}


@dataclass(frozen=True)
class ObjectLabel:
    text: str
    reference: str | None = None  # a registration's, for a link to its page


def object_labels(entries: Iterable[AuditEntry]) -> dict[tuple[str, int], ObjectLabel]:
    """What each entry was done to, in words, with one query per kind of object on the page.

    An object that no longer exists (an invitation replaced by a newer one) is said to be gone;
    kinds of object this module does not know are left out, for the page to name generically.
    """
    ids: dict[str, set[int]] = {}
    for entry in entries:
        if entry.object_id is not None:
            ids.setdefault(entry.object_type, set()).add(entry.object_id)
    labels: dict[tuple[str, int], ObjectLabel] = {}
    if ids.get("registration"):
        for id_, reference in db.session.execute(
            sa.select(Registration.id, Registration.reference).where(
                Registration.id.in_(ids["registration"])
            )
        ):
            labels["registration", id_] = ObjectLabel(f"Registration {reference}", reference)
    if ids.get("user"):
        for id_, name, email in db.session.execute(
            sa.select(User.id, User.name, User.email).where(User.id.in_(ids["user"]))
        ):
            labels["user", id_] = ObjectLabel(f"{name} <{email}>")
    if ids.get("teaminvitation"):
        for id_, email in db.session.execute(
            sa.select(TeamInvitation.id, TeamInvitation.email).where(
                TeamInvitation.id.in_(ids["teaminvitation"])
            )
        ):
            labels["teaminvitation", id_] = ObjectLabel(f"Invitation to {email}")
    if ids.get("invitation"):
        for id_, name, email in db.session.execute(
            sa.select(Invitation.id, Invitation.name, Invitation.email).where(
                Invitation.id.in_(ids["invitation"])
            )
        ):
            labels["invitation", id_] = ObjectLabel(f"Invitation of {name} <{email}>")
    for kind, name in OBJECT_NAMES.items():
        for id_ in ids.get(kind, ()):
            labels.setdefault((kind, id_), ObjectLabel(f"{name} #{id_}, since deleted"))
    return labels
