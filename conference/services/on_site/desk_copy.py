"""What the check-in desk looks people up in: a search by name or reference, and the copy a
desk keeps to go on working when the venue's network drops.

The copy holds what the desk shows of each approved delegate and no more; their badges appear
only as the SHA-256 hash of the QR token, so a stolen phone holds nothing that prints a badge
or opens a door elsewhere. Their accessibility needs are sensitive: the copy says only whether
someone has any, and holds the text sealed under a key derived from their badge's token, so
that the desk reads the needs of the person whose badge it scans and nobody else's. It says
when it expires (when the event is over); the desk's script wipes it then, and at log-out.
"""

import base64
import hashlib
import os
from datetime import datetime

import sqlalchemy as sa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy.orm import selectinload

from conference.extensions import db
from conference.models import CheckIn, Event, Registration, User, utcnow
from conference.models import RegistrationStatus as Status
from conference.services.errors import DomainError
from conference.services.on_site.arrivals import day_to_show
from conference.services.on_site.badges import token_of, valid_badges
from conference.services.on_site.check_in import Person, people
from conference.services.search import contains

MOST_FOUND = 20  # people a search shows; type more of the name for the others


def search(event: Event, text: str) -> list[tuple[Registration, Person]]:
    """The event's registrations (any status, so that the desk sees who it must refuse) whose
    delegate's name or whose reference holds `text`, by name."""
    text = text.strip()[:100]
    if not text:
        return []
    found = list(
        db.session.scalars(
            sa.select(Registration)
            .join(User, User.id == Registration.user_id)
            .where(
                Registration.event_id == event.id,
                sa.or_(contains(User.name, text), contains(Registration.reference, text)),
            )
            .order_by(User.name, Registration.reference)
            .limit(MOST_FOUND)
            .options(selectinload(Registration.user), selectinload(Registration.organisation))
        )
    )
    shown = people(found, valid_badges(found))
    return [(registration, shown[registration.id]) for registration in found]


def needs_key(token: str) -> bytes:
    """The key that opens a delegate's needs in the desk's copy: derived from their badge's
    token, which the copy does not hold (it holds another hash of it), so only the badge in
    front of the desk opens them."""
    return hashlib.sha256(f"needs:{token}".encode()).digest()


def sealed_needs(needs: str, token: str) -> str:
    """`needs` sealed with AES-GCM under `needs_key(token)`, as the desk's script opens them
    (the WebCrypto API): base64 of the 12-byte nonce, then the ciphertext and its tag."""
    nonce = os.urandom(12)
    sealed = AESGCM(needs_key(token)).encrypt(nonce, needs.encode(), None)
    return base64.b64encode(nonce + sealed).decode()


class EventOver(DomainError):
    """Once the event is over no desk keeps a copy of its delegates."""

    status_code = 410


def desk_copy(event: Event, *, now: datetime | None = None) -> dict:
    """Everything a desk needs to check people in offline today: each approved delegate as
    the desk shows them, their valid badge's hash, and their check-in today if they have one.
    Four queries, however many delegates. Refused once the event is over."""
    now = now or utcnow()
    if now >= event.ends_at:
        raise EventOver(f"{event.short_name} is over: the desk keeps no copy of its delegates.")
    day = day_to_show(event, now=now)
    approved = list(
        db.session.scalars(
            sa.select(Registration)
            .where(Registration.event_id == event.id, Registration.status == Status.APPROVED)
            .options(selectinload(Registration.user), selectinload(Registration.organisation))
        )
    )
    badges = valid_badges(approved)
    shown = people(approved, badges)
    arrivals = {
        arrival.registration_id: arrival
        for arrival in db.session.scalars(
            sa.select(CheckIn)
            .where(CheckIn.event_id == event.id, CheckIn.day == day)
            .options(selectinload(CheckIn.checked_in_by))
        )
    }

    def entry(registration: Registration) -> dict:
        arrival = arrivals.get(registration.id)
        badge = badges.get(registration.id)
        person = shown[registration.id].as_json()
        needs = person.pop("needs")
        return {
            **person,
            "badge": badge.token_hash if badge else None,
            "has_needs": bool(needs),
            "needs_sealed": sealed_needs(needs, token_of(badge)) if badge and needs else None,
            "checked_in_at": arrival.checked_in_at.isoformat() if arrival else None,
            "checked_in_by": (
                arrival.checked_in_by.name.split()[0] if arrival and arrival.checked_in_by else None
            ),
        }

    return {
        "event": event.slug,
        "day": day.isoformat(),
        "timezone": event.timezone,
        "made_at": now.isoformat(),
        "expires_at": event.ends_at.isoformat(),
        "people": [entry(r) for r in approved],
    }
