"""Organisers' internal notes on a registration. The delegate never sees them."""

from conference.extensions import db
from conference.models import Registration, RegistrationNote, User
from conference.services.audit.writing import log_action


def add_note(registration: Registration, body: str, *, actor: User) -> RegistrationNote:
    """Add a note; notes are kept as written (the audit log records who wrote one, and when)."""
    note = RegistrationNote(registration=registration, author=actor, body=body.strip())
    db.session.add(note)
    db.session.flush()
    # The note's text stays out of the audit log: it may say more than a log should keep.
    log_action(
        "registration.note_added",
        registration,
        actor=actor,
        event_id=registration.event_id,
        reference=registration.reference,
        note_id=note.id,
    )
    return note
