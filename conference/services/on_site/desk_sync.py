"""What a check-in desk recorded while the venue's network was down, taken once it is back.

Each item is a scan as the desk saw it, at the desk's time, and goes through the desk's own
rules (`check_in.admit`): a badge revoked or a registration cancelled meanwhile is refused now,
two desks' check-ins of one person keep the earliest time, and the day counted is the one the
desk saw them on. An item sent with no time is a scan made online, at our clock's time.
"""

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from conference.extensions import db
from conference.models import (
    LARGEST_ID,
    Badge,
    Event,
    ProgrammeSession,
    Registration,
    User,
    utcnow,
)
from conference.services.errors import DomainError
from conference.services.on_site.check_in import Door, admit, refuse
from conference.services.registration.listing import registration_by_reference

HEX_64 = re.compile(r"[0-9a-f]{64}")
MAX_BATCH = 500  # check-ins one sync sends; a desk with more sends them in several
CLOCK_SKEW = timedelta(minutes=5)  # a desk's clock may be this far ahead of ours
OLDEST = timedelta(days=2)  # a desk's copy lasts a day; what it recorded is sent within two


class InvalidBatch(DomainError):
    status_code = 400


@dataclass(frozen=True)
class SyncItem:
    """One check-in a desk recorded, as it sends it: its own id for it, the badge's hash (or
    the registration's reference, for someone found by name), the desk's time (None for a scan
    made online), the session."""

    id: str
    badge: str | None
    reference: str | None
    at: datetime | None
    session_id: int | None
    # The desk refused it offline (not a valid badge in its copy): the server records the
    # refusal, as it does for one made online, and never lets it in afterwards.
    refused: bool = False


def badge_by_hash(event: Event, badge_hash: str) -> Badge | None:
    """The event's badge, valid or revoked, whose token hashes to `badge_hash` (what the desk's
    offline copy holds instead of the token)."""
    return db.session.scalars(
        sa.select(Badge)
        .join(Registration, Registration.id == Badge.registration_id)
        .where(Badge.token_hash == badge_hash.lower(), Registration.event_id == event.id)
        .options(selectinload(Badge.registration))
    ).first()


def _text(value, longest: int) -> str | None:
    return value if isinstance(value, str) and 0 < len(value) <= longest else None


def _time(raw, *, now: datetime) -> datetime | None | str:
    """The desk's time of the item (None: sent online, our clock's), or what is wrong with it."""
    if raw.get("at") is None:
        return None
    try:
        at = datetime.fromisoformat(raw["at"])
    except (TypeError, ValueError):
        return "The time must be an ISO 8601 date and time."
    if at.tzinfo is None:
        return "The time must say its time zone."
    if at > now + CLOCK_SKEW or at < now - OLDEST:
        return "The time is not one of the last two days: check the desk's clock."
    return at.astimezone(UTC)


def parse_item(raw, *, now: datetime) -> SyncItem | str:
    """The item, or what is wrong with it in words."""
    if not isinstance(raw, dict):
        return "Not a check-in."
    item_id = _text(raw.get("id"), 64)
    if item_id is None:
        return "A check-in needs its desk's id (up to 64 characters)."
    badge, reference = raw.get("badge"), raw.get("reference")
    if badge is not None and not (isinstance(badge, str) and HEX_64.fullmatch(badge)):
        return "The badge must be given by its SHA-256 hash (64 hexadecimal digits)."
    if reference is not None and _text(reference, 20) is None:
        return "A reference has up to 20 characters."
    if (badge is None) == (reference is None):
        return "A check-in names either a badge or a reference."
    at = _time(raw, now=now)
    if isinstance(at, str):
        return at
    session_id = raw.get("session")
    if session_id is not None and (
        isinstance(session_id, bool)
        or not isinstance(session_id, int)
        or not 0 < session_id <= LARGEST_ID
    ):
        return "A session is given by its number."
    refused = raw.get("refused", False)
    if not isinstance(refused, bool):
        return "Refused is true or false."
    return SyncItem(item_id, badge, reference, at, session_id, refused)


def _invalid(raw, problem: str) -> dict:
    item_id = raw.get("id") if isinstance(raw, dict) and _text(raw.get("id"), 64) else None
    return {"id": item_id, "outcome": "invalid", "message": problem}


def sync(event: Event, batch, *, actor: User, desk: str, now: datetime | None = None) -> list:
    """Take what a desk recorded, in order, each check-in once, at most `MAX_BATCH` at a
    time: a badge revoked or a registration cancelled while it was offline is refused now (and
    the desk is told), two desks' check-ins of one person keep the earliest time. Each item
    gets its answer; an item that is not a check-in is refused alone, the others are taken."""
    now = now or utcnow()
    if not isinstance(batch, list) or not 0 < len(batch) <= MAX_BATCH:
        raise InvalidBatch(f"Send between 1 and {MAX_BATCH} check-ins in a list.")
    sessions = {
        s.id: s
        for s in db.session.scalars(
            sa.select(ProgrammeSession).where(ProgrammeSession.event_id == event.id)
        )
    }
    answers = []
    for raw in batch:
        item = parse_item(raw, now=now)
        if isinstance(item, str):
            answers.append(_invalid(raw, item))
            continue
        if item.session_id is not None and item.session_id not in sessions:
            answers.append(_invalid(raw, "No such session in this event."))
            continue
        if item.badge:
            badge = badge_by_hash(event, item.badge)
            registration = badge.registration if badge else None
        else:
            badge, registration = None, registration_by_reference(event, item.reference)
        door = Door(desk, sessions.get(item.session_id))
        if item.refused:
            answer = refuse(
                event,
                registration,
                "offline",
                "Refused offline: not a valid badge in the desk's copy.",
                actor=actor,
                door=door,
            )
        else:
            answer = admit(event, registration, badge, actor=actor, door=door, at=item.at, now=now)
        answers.append({"id": item.id, **answer.as_json()})
    return answers
