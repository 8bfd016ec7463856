"""The check-in desk: who may come in, their arrival once per day of the event, and their
coming through a workshop's door once per session.

A badge is refused when it is unknown, revoked, or its registration is not approved (pending,
waitlisted, rejected, cancelled); every refusal is audited, as a refused person at the door is
something security wants to know. A second scan is no second arrival: the database keeps one
check-in per registration and day, so two desks scanning one badge at once make one, and a
desk that was offline tells its time, of which the earliest is kept.
"""

import enum
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from conference.countries import country_name
from conference.extensions import db
from conference.local_time import in_zone
from conference.models import (
    LARGEST_ID,
    Badge,
    CheckIn,
    Event,
    ProgrammeSession,
    Registration,
    SessionAttendance,
    SessionKind,
    User,
    utcnow,
)
from conference.models import RegistrationStatus as Status
from conference.services.audit.writing import log_action
from conference.services.errors import DomainError, NotFound
from conference.services.on_site.arrivals import day_to_show
from conference.services.on_site.badges import badge_with_token, roles_of

HEX_64 = re.compile(r"[0-9a-f]{64}")
REFERENCE = re.compile(r"[A-Z0-9]{2,10}-[A-Z0-9]{4,8}")  # VGT14-7K3QXA; a token has no dash


class Outcome(enum.StrEnum):
    CHECKED_IN = "checked_in"
    ALREADY = "already"
    REFUSED = "refused"


@dataclass(frozen=True)
class Person:
    """What the desk shows of the person in front of it, and no more."""

    name: str
    organisation: str
    country: str
    role: str
    needs: str
    reference: str

    def as_json(self) -> dict:
        return {
            "name": self.name,
            "organisation": self.organisation,
            "country": self.country,
            "role": self.role,
            "needs": self.needs,
            "reference": self.reference,
        }


def people(registrations: list[Registration], badges: dict[int, Badge]) -> dict[int, Person]:
    """What the desk shows of each registration, by id; a printed badge says its own role."""
    roles = roles_of(registrations)
    return {
        r.id: Person(
            r.user.name,
            r.organisation_name,
            country_name(r.country),
            (badges[r.id].role if r.id in badges else roles[r.id]).title(),
            r.accessibility_needs,
            r.reference,
        )
        for r in registrations
    }


@dataclass(frozen=True)
class DeskAnswer:
    """What the desk shows after a scan: the state in one word, why, and who it is."""

    outcome: Outcome
    message: str
    person: Person | None = None
    at: datetime | None = None  # when the person was (first) checked in

    @property
    def refused(self) -> bool:
        return self.outcome == Outcome.REFUSED

    def as_json(self) -> dict:
        return {
            "outcome": self.outcome.value,
            "message": self.message,
            "person": self.person.as_json() if self.person else None,
            "at": self.at.isoformat() if self.at else None,
        }


@dataclass(frozen=True)
class Door:
    """Where the desk stands: at the entrance (a check-in per day) or at a session's door."""

    desk: str = ""
    session: ProgrammeSession | None = None


def badge_by_hash(event: Event, badge_hash: str) -> Badge | None:
    """The event's badge, valid or revoked, whose token hashes to `badge_hash` (what the desk's
    offline copy holds instead of the token)."""
    return db.session.scalars(
        sa.select(Badge)
        .join(Registration, Registration.id == Badge.registration_id)
        .where(Badge.token_hash == badge_hash.lower(), Registration.event_id == event.id)
        .options(selectinload(Badge.registration))
    ).first()


def registration_by_reference(event: Event, reference: str) -> Registration | None:
    return db.session.scalars(
        sa.select(Registration).where(
            Registration.event_id == event.id, Registration.reference == reference.strip().upper()
        )
    ).first()


def _refuse(
    event: Event,
    registration: Registration | None,
    reason: str,
    message: str,
    *,
    actor: User,
    door: Door,
    person: Person | None = None,
) -> DeskAnswer:
    log_action(
        "check_in.refused",
        registration or event,
        actor=actor,
        event_id=event.id,
        reason=reason,
        desk=door.desk,
        **({"session_id": door.session.id} if door.session else {}),
    )
    return DeskAnswer(Outcome.REFUSED, message, person)


def admit(
    event: Event,
    registration: Registration | None,
    badge: Badge | None,
    *,
    actor: User,
    door: Door,
    at: datetime | None = None,
) -> DeskAnswer:
    """Let the registration in at `door` (found by its `badge`, or by name with none), at
    `at` (the desk's time; now when it was online), or refuse it and say why."""
    if registration is None or registration.event_id != event.id:
        return _refuse(
            event,
            None,
            "unknown",
            "Unknown badge or reference: not one of this event's.",
            actor=actor,
            door=door,
        )
    badges = {registration.id: badge} if badge else {}
    person = people([registration], badges)[registration.id]
    if badge is not None and not badge.is_valid:
        return _refuse(
            event,
            registration,
            "revoked",
            f"This badge was revoked on {in_zone(badge.revoked_at, event.timezone):%-d %b %H:%M}"
            f"{': ' + badge.revoked_reason if badge.revoked_reason else ''}. "
            "Ask for the new one.",
            actor=actor,
            door=door,
            person=person,
        )
    if registration.status != Status.APPROVED:
        return _refuse(
            event,
            registration,
            registration.status,
            f"Registration {registration.status_label.lower()}: not admitted.",
            actor=actor,
            door=door,
            person=person,
        )
    at = at or utcnow()
    if door.session is not None:
        return _attend(event, registration, person, actor=actor, door=door, at=at)
    return _check_in(event, registration, person, actor=actor, door=door, at=at)


def _already(event: Event, person: Person, first_at: datetime, by: User | None, where: str):
    time_text = f"{in_zone(first_at, event.timezone):%H:%M}"
    by_text = f" by {by.name.split()[0]}" if by else ""
    return DeskAnswer(
        Outcome.ALREADY, f"Already checked in {where} at {time_text}{by_text}.", person, first_at
    )


def existing_check_in(registration_id: int, day: date) -> CheckIn | None:
    return db.session.scalars(
        sa.select(CheckIn)
        .where(CheckIn.registration_id == registration_id, CheckIn.day == day)
        .execution_options(populate_existing=True)
    ).first()


def _check_in(event, registration, person, *, actor, door, at) -> DeskAnswer:
    day = day_to_show(event, now=at)
    found = existing_check_in(registration.id, day)
    if found is None:
        try:
            with db.session.begin_nested():  # undone alone when another desk was first
                db.session.add(
                    CheckIn(
                        event_id=event.id,
                        registration_id=registration.id,
                        day=day,
                        checked_in_at=at,
                        checked_in_by_id=actor.id,
                        desk=door.desk,
                    )
                )
        except IntegrityError:
            found = existing_check_in(registration.id, day)
        else:
            log_action(
                "check_in.checked_in",
                registration,
                actor=actor,
                event_id=event.id,
                day=day.isoformat(),
                desk=door.desk,
                seen_at=at.isoformat(),
            )
            return DeskAnswer(Outcome.CHECKED_IN, "Checked in.", person, at)
    if _keep_the_earliest(found, at, actor=actor, door=door):
        log_action(
            "check_in.earlier_time",
            registration,
            actor=actor,
            event_id=event.id,
            day=day.isoformat(),
            desk=door.desk,
            seen_at=at.isoformat(),
        )
        found = existing_check_in(registration.id, day)
    return _already(event, person, found.checked_in_at, found.checked_in_by, "today")


def _keep_the_earliest(found: CheckIn, at: datetime, *, actor: User, door: Door) -> bool:
    """Two desks that checked one person in while offline: the earliest time stands. One
    conditional UPDATE, so two syncs at once cannot put a later time back."""
    result = db.session.execute(
        sa.update(CheckIn)
        .where(CheckIn.id == found.id, CheckIn.checked_in_at > at)
        .values(checked_in_at=at, checked_in_by_id=actor.id, desk=door.desk)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def _attend(event, registration, person, *, actor, door, at) -> DeskAnswer:
    session = door.session

    def existing() -> SessionAttendance | None:
        return db.session.scalars(
            sa.select(SessionAttendance)
            .where(
                SessionAttendance.session_id == session.id,
                SessionAttendance.registration_id == registration.id,
            )
            .execution_options(populate_existing=True)
        ).first()

    found = existing()
    if found is None:
        try:
            with db.session.begin_nested():
                db.session.add(
                    SessionAttendance(
                        session_id=session.id,
                        registration_id=registration.id,
                        attended_at=at,
                        recorded_by_id=actor.id,
                    )
                )
        except IntegrityError:
            found = existing()
        else:
            log_action(
                "attendance.recorded",
                registration,
                actor=actor,
                event_id=event.id,
                session_id=session.id,
                seen_at=at.isoformat(),
            )
            return DeskAnswer(Outcome.CHECKED_IN, f"Came to “{session.title}”.", person, at)
    earlier = db.session.execute(
        sa.update(SessionAttendance)
        .where(SessionAttendance.id == found.id, SessionAttendance.attended_at > at)
        .values(attended_at=at, recorded_by_id=actor.id)
        .execution_options(synchronize_session=False)
    )
    if earlier.rowcount == 1:
        log_action(
            "attendance.earlier_time",
            registration,
            actor=actor,
            event_id=event.id,
            session_id=session.id,
            seen_at=at.isoformat(),
        )
        found = existing()
    by = db.session.get(User, found.recorded_by_id) if found.recorded_by_id else None
    return _already(event, person, found.attended_at, by, "at this session")


class InvalidCode(DomainError):
    status_code = 400


def scan(event: Event, code: str, *, actor: User, door: Door) -> DeskAnswer:
    """What the desk read or was given: a badge's QR token (from a camera or a USB scanner,
    which types it), or a registration's reference (a person found by name, with no badge on
    them). An unknown code is refused as an unknown badge."""
    code = code.strip().upper()
    if not code or len(code) > 64:
        raise InvalidCode("Scan a badge, or type a name or a reference.", field="code")
    if REFERENCE.fullmatch(code):
        registration = registration_by_reference(event, code)
        badge = None
    else:
        badge = badge_with_token(code)
        registration = badge.registration if badge else None
    return admit(event, registration, badge, actor=actor, door=door)


def doors(event: Event) -> list[ProgrammeSession]:
    """The sessions whose doors a desk can stand at (all but the breaks), in time order."""
    return list(
        db.session.scalars(
            sa.select(ProgrammeSession)
            .where(
                ProgrammeSession.event_id == event.id, ProgrammeSession.kind != SessionKind.BREAK
            )
            .order_by(ProgrammeSession.starts_at, ProgrammeSession.id)
        )
    )


def door_at(event: Event, session_id: int | None, desk: str = "") -> Door:
    """The desk at the entrance, or at the door of the event's session `session_id`."""
    if session_id is None:
        return Door(desk)
    session = db.session.get(ProgrammeSession, session_id) if 0 < session_id <= LARGEST_ID else None
    if session is None or session.event_id != event.id:
        raise NotFound("No such session in this event.", field="session")
    return Door(desk, session)


# --- a desk back online: what it recorded meanwhile ------------------------------------------

MAX_BATCH = 500  # check-ins one sync sends; a desk offline for a whole morning sends fewer
CLOCK_SKEW = timedelta(minutes=5)  # a desk's clock may be this far ahead of ours
OLDEST = timedelta(days=2)  # a desk's copy lasts a day; what it recorded is sent within two


class InvalidBatch(DomainError):
    status_code = 400


@dataclass(frozen=True)
class SyncItem:
    """One check-in a desk recorded, as it sends it: its own id for it, the badge's hash (or
    the registration's reference, for someone found by name), the desk's time, the session."""

    id: str
    badge: str | None
    reference: str | None
    at: datetime
    session_id: int | None
    # The desk refused it offline (not a valid badge in its copy): the server records the
    # refusal, as it does for one made online, and never lets it in afterwards.
    refused: bool = False


def _text(value, longest: int) -> str | None:
    return value if isinstance(value, str) and 0 < len(value) <= longest else None


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
    try:
        at = datetime.fromisoformat(raw.get("at"))
    except (TypeError, ValueError):
        return "The time must be an ISO 8601 date and time."
    if at.tzinfo is None:
        return "The time must say its time zone."
    if at > now + CLOCK_SKEW or at < now - OLDEST:
        return "The time is not one of the last two days: check the desk's clock."
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
    return SyncItem(item_id, badge, reference, at.astimezone(UTC), session_id, refused)


def _invalid(raw, problem: str) -> dict:
    item_id = raw.get("id") if isinstance(raw, dict) and _text(raw.get("id"), 64) else None
    return {"id": item_id, "outcome": "invalid", "message": problem}


def sync(event: Event, batch, *, actor: User, desk: str, now: datetime | None = None) -> list:
    """Take what an offline desk recorded, in order, each check-in once: a badge revoked or a
    registration cancelled while it was offline is refused now (and the desk is told), two
    desks' check-ins of one person keep the earliest time. Each item gets its answer; an item
    that is not a check-in is refused alone, the others are taken."""
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
            answer = _refuse(
                event,
                registration,
                "offline",
                "Refused offline: not a valid badge in the desk's copy.",
                actor=actor,
                door=door,
            )
        else:
            answer = admit(event, registration, badge, actor=actor, door=door, at=item.at)
        answers.append({"id": item.id, **answer.as_json()})
    return answers
