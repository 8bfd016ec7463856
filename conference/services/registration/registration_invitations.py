"""Invitations to register: one per person and event, each with a code that registers once.

The code travels in the invitation email (in a link and written out, for someone who signs up
first). Only its hash is stored. An event marked "invitation only" takes no registration
without an unused code; any event records which invitation a registration used.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from conference.extensions import db
from conference.models import Event, Invitation, Registration, User, utcnow
from conference.models import RegistrationStatus as Status
from conference.services.audit.writing import log_action
from conference.services.errors import DomainError, InvalidToken, InvalidTransition, NotFound
from conference.services.links import absolute_url
from conference.services.mail import phrases
from conference.services.mail.sending import send_email
from conference.services.people.accounts import normalise_email

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to mistype
CODE_GROUPS = 3  # three groups of four characters, e.g. K7QX-3MPA-9TRE: 60 bits


@dataclass(frozen=True)
class Invitee:
    """Who is invited: the email address is required, the rest helps the organisers."""

    email: str
    name: str
    organisation: str = ""
    country: str | None = None


def new_code() -> str:
    return "-".join(
        "".join(secrets.choice(CODE_ALPHABET) for _ in range(4)) for _ in range(CODE_GROUPS)
    )


def code_hash(code: str) -> str:
    """The hash of a code as typed: case, spaces and dashes do not matter."""
    normalised = "".join(ch for ch in code.upper() if ch.isalnum())
    return hashlib.sha256(normalised.encode()).hexdigest()


def invitations_of(event: Event) -> list[Invitation]:
    """The event's invitations, newest first, with the registrations they led to."""
    return db.session.scalars(
        sa.select(Invitation)
        .where(Invitation.event_id == event.id)
        .options(joinedload(Invitation.registration).joinedload(Registration.user))
        .order_by(Invitation.sent_at.desc(), Invitation.id.desc())
    ).all()


def active_registration_by_email(event: Event, email: str) -> Registration | None:
    return db.session.scalars(
        sa.select(Registration)
        .join(User, Registration.user_id == User.id)
        .where(
            Registration.event_id == event.id,
            Registration.status != Status.CANCELLED,
            User.email == normalise_email(email),
        )
    ).first()


def invite(
    event: Event, invitee: Invitee, *, actor: User, now: datetime | None = None
) -> tuple[Invitation, str]:
    """Invite someone to register, by an email with a fresh code; returns it and the code.

    Inviting the same address again sends a new code and the old one stops working (also
    after a withdrawal, or when the registration it made was cancelled). Refused for someone
    registered already.
    """
    now = now or utcnow()
    email = normalise_email(invitee.email)
    registered = active_registration_by_email(event, email)
    if registered is not None:
        raise DomainError(f"{email} is already registered ({registered.reference}).")
    invitation = db.session.scalars(
        sa.select(Invitation).where(Invitation.event_id == event.id, Invitation.email == email)
    ).first()
    action = "invitation.resent" if invitation else "invitation.sent"
    if invitation is None:
        invitation = Invitation(event_id=event.id, email=email, created_at=now)
        db.session.add(invitation)
    code = new_code()
    invitation.name = invitee.name.strip()
    invitation.organisation = invitee.organisation.strip()
    invitation.country = invitee.country or None
    invitation.code_hash = code_hash(code)
    invitation.invited_by_id = actor.id
    invitation.sent_at = now
    invitation.used_at = invitation.registration_id = invitation.revoked_at = None
    db.session.flush()
    log_action(action, invitation, actor=actor, event_id=event.id, email=email)
    send_email(
        "event_invitation",
        to=email,
        event=event,
        values={
            "name": invitation.name,
            "code": code,
            "link": absolute_url("delegate.register", event_slug=event.slug, code=code),
            "vetting": phrases.vetting(event, invitation=True),
        },
    )
    return invitation, code


def _invitation(event: Event, invitation_id: int) -> Invitation:
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None or invitation.event_id != event.id:
        raise NotFound("There is no such invitation for this event.")
    return invitation


def withdraw(
    event: Event, invitation_id: int, *, actor: User, now: datetime | None = None
) -> Invitation:
    """Make an unused invitation's code stop working."""
    invitation = _invitation(event, invitation_id)
    if invitation.used_at is not None:
        raise InvalidTransition(
            f"{invitation.email} has registered with this invitation already: "
            "decide their registration instead."
        )
    if invitation.revoked_at is None:
        invitation.revoked_at = now or utcnow()
        log_action(
            "invitation.withdrawn",
            invitation,
            actor=actor,
            event_id=event.id,
            email=invitation.email,
        )
    return invitation


def open_invitation(event: Event, code: str) -> Invitation | None:
    """The unused invitation a code belongs to, to greet the invitee; None for any other code."""
    return db.session.scalars(
        sa.select(Invitation).where(
            Invitation.event_id == event.id,
            Invitation.code_hash == code_hash(code),
            Invitation.used_at.is_(None),
            Invitation.revoked_at.is_(None),
        )
    ).first()


def redeem(event: Event, code: str, registration: Registration, now: datetime) -> Invitation:
    """Mark the code used by this registration, in the registration's transaction.

    One conditional UPDATE: of two registrations sent with the same code at once, one wins
    and the other is refused.
    """
    hashed = code_hash(code)
    taken = db.session.execute(
        sa.update(Invitation)
        .where(
            Invitation.event_id == event.id,
            Invitation.code_hash == hashed,
            Invitation.used_at.is_(None),
            Invitation.revoked_at.is_(None),
        )
        .values(used_at=now, registration_id=registration.id)
        .execution_options(synchronize_session=False)
    )
    invitation = db.session.scalars(
        sa.select(Invitation)
        .where(Invitation.event_id == event.id, Invitation.code_hash == hashed)
        .execution_options(populate_existing=True)
    ).first()
    if taken.rowcount != 1:
        if invitation is None:
            raise InvalidToken(
                f"This is not an invitation code for {event.short_name}. "
                "Check it against your invitation email.",
                field="invitation_code",
            )
        if invitation.used_at is not None:
            raise InvalidToken(
                "This invitation code has been used already.", field="invitation_code"
            )
        raise InvalidToken(
            "This invitation has been withdrawn. Please write to the organisers.",
            field="invitation_code",
        )
    log_action(
        "invitation.used",
        invitation,
        actor=registration.user,
        event_id=event.id,
        reference=registration.reference,
    )
    return invitation
