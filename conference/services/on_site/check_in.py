"""The check-in desk: who may come in, their arrival once per day of the event, and their
coming through a workshop's door once per session.

A badge is refused when it is unknown, revoked, or its registration is not approved (pending,
waitlisted, rejected, cancelled), and anyone is refused on a day that is not one of the
event's; every refusal is audited, as a refused person at the door is something security wants
to know. A second scan is no second arrival: the database keeps one check-in per registration
and day, so two desks scanning one badge at once make one, and a desk that was offline tells
its time, of which the earliest is kept. What an offline desk sends is taken in `desk_sync`.
"""

import enum
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from conference.countries import country_name
from conference.extensions import db
from conference.local_time import in_zone, local_date
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
from conference.services.errors import NotFound
from conference.services.on_site.badges import badge_with_token, roles_of
from conference.services.on_site.codes import BADGE_TOKEN
from conference.services.registration.listing import registration_by_reference

# VGT14-7K3QXA, in any case; a badge's token has no dash
REFERENCE = re.compile(r"[A-Z0-9]{2,10}-[A-Z0-9]{4,8}", re.IGNORECASE)


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


def refuse(
    event: Event,
    registration: Registration | None,
    reason: str,
    message: str,
    *,
    actor: User,
    door: Door,
    person: Person | None = None,
    **details,
) -> DeskAnswer:
    """The desk's answer that someone is not let in, audited on them (or on the event, for a
    badge nobody knows)."""
    log_action(
        "check_in.refused",
        registration or event,
        actor=actor,
        event_id=event.id,
        reason=reason,
        desk=door.desk,
        **({"session_id": door.session.id} if door.session else {}),
        **details,
    )
    return DeskAnswer(Outcome.REFUSED, message, person)


def closed_because(event: Event, at: datetime) -> tuple[str, str] | None:
    """Why nobody is checked in at the moment `at`, as a reason and a message: it is not one
    of the event's days at the venue (a desk tried out the week before, a badge scanned after
    the event). None on the event's days."""
    day = local_date(at, event.timezone)
    if day < event.starts_on:
        return "early", f"Check-in opens on {event.starts_on:%-d %B}."
    if day > event.ends_on:
        return "over", f"{event.short_name} is over."
    return None


def admit(
    event: Event,
    registration: Registration | None,
    badge: Badge | None,
    *,
    actor: User,
    door: Door,
    at: datetime | None = None,
    now: datetime | None = None,
) -> DeskAnswer:
    """Let the registration in at `door` (found by its `badge`, or by name with none), at
    `at` (the desk's time, for what it recorded offline; else `now`, our clock's), or refuse
    it and say why. Only on the event's days, each counting the check-ins of its own."""
    at = at or now or utcnow()
    if registration is None or registration.event_id != event.id:
        return refuse(
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
        return refuse(
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
        return refuse(
            event,
            registration,
            registration.status,
            f"Registration {registration.status_label.lower()}: not admitted.",
            actor=actor,
            door=door,
            person=person,
        )
    closed = closed_because(event, at)
    if closed is not None:
        reason, message = closed
        return refuse(
            event,
            registration,
            reason,
            message,
            actor=actor,
            door=door,
            person=person,
            seen_at=at.isoformat(),
        )
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


def _once(find: Callable[[], Any], new: Any) -> tuple[Any, bool]:
    """The row `find()` finds, or else `new`, inserted; True when it was inserted. Two desks at
    once: the database's unique constraint refuses the second insert (in a savepoint, undone
    alone), which then finds the first desk's row."""
    found = find()
    if found is not None:
        return found, False
    try:
        with db.session.begin_nested():
            db.session.add(new)
    except IntegrityError:
        return find(), False
    return new, True


def _keep_the_earliest(row: Any, seen: Any, at: datetime, **values: Any) -> bool:
    """Two desks that saw one person while offline: the earliest time stands. One conditional
    UPDATE, so two syncs at once cannot put a later time back."""
    model = type(row)
    result = db.session.execute(
        sa.update(model)
        .where(model.id == row.id, seen > at)
        .values({seen.key: at, **values})
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def _check_in(event, registration, person, *, actor, door, at) -> DeskAnswer:
    day = local_date(at, event.timezone)  # the venue's day: each day of the event has its own
    seen = {"event_id": event.id, "day": day.isoformat(), "desk": door.desk}
    found, inserted = _once(
        lambda: existing_check_in(registration.id, day),
        CheckIn(
            event_id=event.id,
            registration_id=registration.id,
            day=day,
            checked_in_at=at,
            checked_in_by_id=actor.id,
            desk=door.desk,
        ),
    )
    if inserted:
        log_action("check_in.checked_in", registration, actor=actor, seen_at=at.isoformat(), **seen)
        return DeskAnswer(Outcome.CHECKED_IN, "Checked in.", person, at)
    if _keep_the_earliest(
        found, CheckIn.checked_in_at, at, checked_in_by_id=actor.id, desk=door.desk
    ):
        log_action(
            "check_in.earlier_time", registration, actor=actor, seen_at=at.isoformat(), **seen
        )
        found = existing_check_in(registration.id, day)
    return _already(event, person, found.checked_in_at, found.checked_in_by, "today")


def _attend(event, registration, person, *, actor, door, at) -> DeskAnswer:
    session = door.session
    seen = {"event_id": event.id, "session_id": session.id}

    def existing() -> SessionAttendance | None:
        return db.session.scalars(
            sa.select(SessionAttendance)
            .where(
                SessionAttendance.session_id == session.id,
                SessionAttendance.registration_id == registration.id,
            )
            .execution_options(populate_existing=True)
        ).first()

    found, inserted = _once(
        existing,
        SessionAttendance(
            session_id=session.id,
            registration_id=registration.id,
            attended_at=at,
            recorded_by_id=actor.id,
        ),
    )
    if inserted:
        log_action("attendance.recorded", registration, actor=actor, seen_at=at.isoformat(), **seen)
        return DeskAnswer(Outcome.CHECKED_IN, f"Came to “{session.title}”.", person, at)
    if _keep_the_earliest(found, SessionAttendance.attended_at, at, recorded_by_id=actor.id):
        log_action(
            "attendance.earlier_time", registration, actor=actor, seen_at=at.isoformat(), **seen
        )
        found = existing()
    by = db.session.get(User, found.recorded_by_id) if found.recorded_by_id else None
    return _already(event, person, found.attended_at, by, "at this session")


def is_a_code(typed: str) -> bool:
    """Whether what was typed into the desk's field is a badge's token or a reference; anything
    else is someone's name, to look them up by."""
    return bool(BADGE_TOKEN.fullmatch(typed) or REFERENCE.fullmatch(typed))


def scan(
    event: Event, code: str, *, actor: User, door: Door, now: datetime | None = None
) -> DeskAnswer:
    """What the desk read or was given: a badge's QR token (from a camera or a USB scanner,
    which types it), or a registration's reference (a person found by name, with no badge on
    them), at `now`. An unknown code is refused as an unknown badge."""
    if REFERENCE.fullmatch(code):
        registration = registration_by_reference(event, code)
        badge = None
    else:
        badge = badge_with_token(code)
        registration = badge.registration if badge else None
    return admit(event, registration, badge, actor=actor, door=door, now=now)


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
