"""The organisers' timetable: sessions, their conflicts, and the draft as the editor shows it.

Organisers edit the draft here; nobody outside the team sees it until it is published
(`services.programme.publishing.publish`). Times are typed in the event's time zone and stored
in UTC.
Every change locks the event row first (`lock_event`), so two organisers saving at once cannot
both put a session into the same free room, and is audited in the same transaction.

A session's conflicts come from one function, `conflicts_of`. Some are impossible and always
refused (two sessions in one room at once, a session outside the event's days, one that ends
before it starts); others are warnings the organiser may accept (a speaker in two places at
once, a workshop with more places than its room has seats).
"""

from dataclasses import dataclass
from datetime import date, datetime, time

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from conference.extensions import db
from conference.local_time import clock_change_problem, to_local, to_utc
from conference.models import (
    Event,
    ProgrammeSession,
    Room,
    SessionKind,
    SessionSignup,
    SessionSpeaker,
    SignupStatus,
    Speaker,
    SpeakerRole,
    User,
)
from conference.services.audit.writing import log_action
from conference.services.errors import DomainError
from conference.services.locks import lock_event, lock_session
from conference.services.programme.rooms_tracks_speakers import (
    TimetableRefused,
    apply_changes,
    of_event,
    room_by_id,
    rooms_of,
    track_by_id,
)
from conference.services.programme.timetable_grid import GridDay, grid_of
from conference.services.programme.workshops import confirmed_count, fill_from_waiting_list
from conference.services.text import counted, one_line, paragraphs


@dataclass(frozen=True)
class Conflict:
    """What is wrong with a session as it would be saved; `refused` ones cannot be accepted."""

    message: str
    field: str
    refused: bool


class SessionConflicts(DomainError):
    """The session was not saved: it has refused conflicts, or warnings not yet accepted."""

    def __init__(self, conflicts: list[Conflict]):
        self.conflicts = conflicts
        self.refused = [c for c in conflicts if c.refused]
        self.warnings = [c for c in conflicts if not c.refused]
        first = (self.refused or self.warnings)[0]
        super().__init__(first.message)


# --- sessions ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SessionSpeakerDetails:
    """A speaker's part in a session, in the order the form lists them."""

    speaker_id: int
    role: str = SpeakerRole.SPEAKER


@dataclass(frozen=True)
class SessionDetails:
    """What the session form edits; day and times are local to the event."""

    title: str
    kind: str
    day: date
    starts: time
    ends: time
    abstract: str = ""
    room_id: int | None = None
    track_id: int | None = None
    capacity: int | None = None
    parts: tuple[SessionSpeakerDetails, ...] = ()


def sessions_of(event: Event) -> list[ProgrammeSession]:
    """The event's sessions in time order, with their room, track and speakers loaded."""
    return db.session.scalars(
        sa.select(ProgrammeSession)
        .where(ProgrammeSession.event_id == event.id)
        .options(
            selectinload(ProgrammeSession.room),
            selectinload(ProgrammeSession.track),
            selectinload(ProgrammeSession.speakers).selectinload(SessionSpeaker.speaker),
        )
        .order_by(ProgrammeSession.starts_at, ProgrammeSession.id)
    ).all()


def session_by_id(event: Event, session_id: int) -> ProgrammeSession:
    return of_event(ProgrammeSession, event, session_id)


def details_of(session: ProgrammeSession) -> SessionDetails:
    """The session as the form shows it, in the event's local time."""
    zone = session.event.timezone
    starts, ends = to_local(session.starts_at, zone), to_local(session.ends_at, zone)
    return SessionDetails(
        title=session.title,
        kind=session.kind,
        day=starts.date(),
        starts=starts.time(),
        ends=ends.time(),
        abstract=session.abstract,
        room_id=session.room_id,
        track_id=session.track_id,
        capacity=session.capacity,
        parts=tuple(SessionSpeakerDetails(p.speaker_id, p.role) for p in session.speakers),
    )


def _span(event: Event, details: SessionDetails) -> tuple[datetime, datetime]:
    return (
        to_utc(datetime.combine(details.day, details.starts), event.timezone),
        to_utc(datetime.combine(details.day, details.ends), event.timezone),
    )


def _when(session: ProgrammeSession, zone: str) -> str:
    starts, ends = to_local(session.starts_at, zone), to_local(session.ends_at, zone)
    return f"{starts:%-d %B}, {starts:%H:%M}–{ends:%H:%M}"


def conflicts_of(
    event: Event, details: SessionDetails, session: ProgrammeSession | None = None
) -> list[Conflict]:
    """Everything wrong with the session as it would be saved (`session` None: a new one).

    Refused: outside the event's days; ending before it starts (or past midnight); a time
    that does not exist or happens twice as the clocks change; a room
    holding another session at the same time; the same title at the same time (a form sent
    twice). Warned: a speaker in another session at the same
    time; more places for sign-up than the room has seats.
    """
    conflicts = []
    if not event.starts_on <= details.day <= event.ends_on:
        conflicts.append(
            Conflict(
                f"{event.short_name} runs from {event.starts_on:%-d %B} to "
                f"{event.ends_on:%-d %B %Y}: choose one of its days.",
                "day",
                refused=True,
            )
        )
    if details.ends <= details.starts:
        conflicts.append(
            Conflict(
                "A session ends after it starts, on the same day: it cannot end before it "
                "starts or run past midnight.",
                "ends",
                refused=True,
            )
        )
        return conflicts  # without a time span, nothing overlaps
    clock_changes = [
        Conflict(problem, field, refused=True)
        for clock, field in ((details.starts, "starts"), (details.ends, "ends"))
        if (problem := clock_change_problem(datetime.combine(details.day, clock), event.timezone))
    ]
    if clock_changes:
        return conflicts + clock_changes  # the time span is not known for sure
    starts_at, ends_at = _span(event, details)
    overlapping = sa.select(ProgrammeSession).where(
        ProgrammeSession.event_id == event.id,
        ProgrammeSession.starts_at < ends_at,
        ProgrammeSession.ends_at > starts_at,
    )
    if session is not None and session.id is not None:
        overlapping = overlapping.where(ProgrammeSession.id != session.id)
    others = db.session.scalars(
        overlapping.options(
            selectinload(ProgrammeSession.room), selectinload(ProgrammeSession.speakers)
        ).order_by(ProgrammeSession.starts_at)
    ).all()
    for other in others:
        if other.starts_at == starts_at and other.title == one_line(details.title):
            conflicts.append(
                Conflict(
                    f"“{other.title}” is already on the programme at that time "
                    f"({_when(other, event.timezone)}).",
                    "title",
                    refused=True,
                )
            )
        elif details.room_id is not None and other.room_id == details.room_id:
            conflicts.append(
                Conflict(
                    f"{other.room.name} already holds “{other.title}” at that time "
                    f"({_when(other, event.timezone)}): two sessions cannot share a room.",
                    "room",
                    refused=True,
                )
            )
    speaker_ids = [part.speaker_id for part in details.parts]
    names = dict(
        db.session.execute(
            sa.select(Speaker.id, Speaker.name).where(Speaker.id.in_(speaker_ids))
        ).all()
    )
    for other in others:
        for part in other.speakers:
            if part.speaker_id in speaker_ids:
                where = f", {other.room.name}" if other.room else ""
                conflicts.append(
                    Conflict(
                        f"{names.get(part.speaker_id, 'A speaker')} is also in “{other.title}” "
                        f"at that time ({_when(other, event.timezone)}{where}).",
                        "parts",
                        refused=False,
                    )
                )
    if session is not None and session.id is not None and others:
        conflicts.extend(_delegates_in_two_places(session, others, event.timezone))
    room = db.session.get(Room, details.room_id) if details.room_id else None
    if room and room.capacity and details.capacity and details.capacity > room.capacity:
        conflicts.append(
            Conflict(
                f"{room.name} seats {room.capacity}: {details.capacity} places for sign-up "
                "are more than that.",
                "capacity",
                refused=False,
            )
        )
    return conflicts


def _check_references(event: Event, details: SessionDetails) -> None:
    """The room, track and speakers must be this event's; each speaker once."""
    if details.kind not in set(SessionKind):
        raise TimetableRefused("Choose the kind of session.", "kind")
    if details.room_id is not None:
        room_by_id(event, details.room_id)
    if details.track_id is not None:
        track_by_id(event, details.track_id)
    speaker_ids = [part.speaker_id for part in details.parts]
    if len(set(speaker_ids)) != len(speaker_ids):
        raise TimetableRefused(
            "Each speaker can have one part in a session: list them once.", "parts"
        )
    known = set(
        db.session.scalars(
            sa.select(Speaker.id).where(Speaker.event_id == event.id, Speaker.id.in_(speaker_ids))
        )
    )
    if known != set(speaker_ids) or any(p.role not in set(SpeakerRole) for p in details.parts):
        raise TimetableRefused("Choose the speakers and their roles from the lists.", "parts")


def signup_counts(session: ProgrammeSession) -> dict[str, int]:
    counts = dict(
        db.session.execute(
            sa.select(SessionSignup.status, sa.func.count())
            .where(SessionSignup.session_id == session.id)
            .group_by(SessionSignup.status)
        ).all()
    )
    return {status: counts.get(status, 0) for status in SignupStatus}


def _delegates_in_two_places(
    session: ProgrammeSession, others: list[ProgrammeSession], timezone: str
) -> list[Conflict]:
    """Delegates with a place in this workshop and one of `others` (at its new time): moving it
    there would give them two places at once, which sign-up never allows."""
    mine = sa.select(SessionSignup.registration_id).where(
        SessionSignup.session_id == session.id, SessionSignup.status == SignupStatus.CONFIRMED
    )
    counts = dict(
        db.session.execute(
            sa.select(SessionSignup.session_id, sa.func.count())
            .where(
                SessionSignup.session_id.in_([other.id for other in others]),
                SessionSignup.status == SignupStatus.CONFIRMED,
                SessionSignup.registration_id.in_(mine),
            )
            .group_by(SessionSignup.session_id)
        ).all()
    )
    return [
        Conflict(
            counted(
                counts[other.id],
                "delegate with a place here also has",
                "delegates with a place here also have",
            )
            + f" a place in “{other.title}” at that time ({_when(other, timezone)}).",
            "starts",
            refused=False,
        )
        for other in others
        if counts.get(other.id)
    ]


def save_session(
    event: Event,
    details: SessionDetails,
    *,
    actor: User,
    session: ProgrammeSession | None = None,
    accept_warnings: bool = False,
) -> ProgrammeSession:
    """Create a session (`session` None) or change one, if nothing refuses it.

    Raises `SessionConflicts` for a refused conflict, and for warnings unless the organiser
    accepted them. A capacity never drops below the places already confirmed; a raised one gives
    the new places to the waiting list at once.
    """
    event = lock_event(event.id)
    _check_references(event, details)
    conflicts = conflicts_of(event, details, session)
    if any(c.refused for c in conflicts) or (conflicts and not accept_warnings):
        raise SessionConflicts(conflicts)
    starts_at, ends_at = _span(event, details)
    wanted = {
        "title": one_line(details.title),
        "abstract": paragraphs(details.abstract),
        "kind": details.kind,
        "starts_at": starts_at,
        "ends_at": ends_at,
        "room_id": details.room_id,
        "track_id": details.track_id,
        "capacity": details.capacity,
    }
    parts = [[p.speaker_id, p.role] for p in details.parts]
    accepted = {"warnings_accepted": [c.message for c in conflicts]} if conflicts else {}
    if session is None:
        session = ProgrammeSession(event_id=event.id, **wanted)
        db.session.add(session)
        _set_parts(session, details.parts)
        db.session.flush()
        log_action(
            "session.created",
            session,
            actor=actor,
            event_id=event.id,
            **_audit(wanted),
            speakers=parts,
            **accepted,
        )
        return session
    # Read afresh under the session's lock: no sign-up or other edit slips in between.
    session = lock_session(session.id)
    old_capacity = session.capacity
    if details.capacity != old_capacity:
        confirmed = confirmed_count(session.id)
        if confirmed and (details.capacity is None or details.capacity < confirmed):
            raise TimetableRefused(
                f"{counted(confirmed, 'delegate has', 'delegates have')} a confirmed place: "
                "the capacity cannot be "
                "less than that, nor removed.",
                "capacity",
            )
    old_parts = [[p.speaker_id, p.role] for p in session.speakers]
    changes = _audit(apply_changes(session, wanted))
    if old_parts != parts:
        _set_parts(session, details.parts)
        changes["speakers"] = [old_parts, parts]
    if changes:
        db.session.flush()
        log_action(
            "session.updated", session, actor=actor, event_id=event.id, changes=changes, **accepted
        )
    rose = old_capacity is not None and (details.capacity or 0) > old_capacity
    if rose and any(signup_counts(session).values()):
        fill_from_waiting_list(session)
    return session


def _set_parts(session: ProgrammeSession, parts: tuple[SessionSpeakerDetails, ...]) -> None:
    if session.id is not None:
        session.speakers.clear()
        db.session.flush()  # the old rows go before new ones take their keys
    session.speakers.extend(
        SessionSpeaker(speaker_id=p.speaker_id, role=p.role, position=n)
        for n, p in enumerate(parts)
    )


def _audit(values: dict) -> dict:
    def plain(value):
        if isinstance(value, list):
            return [plain(v) for v in value]
        return value.isoformat() if isinstance(value, datetime) else value

    return {key: plain(value) for key, value in values.items()}


def delete_session(session: ProgrammeSession, *, actor: User) -> None:
    """Delete a session; refused while delegates are signed up for it."""
    lock_event(session.event_id)
    lock_session(session.id)
    signed_up = sum(signup_counts(session).values())
    if signed_up:
        raise TimetableRefused(
            f"“{session.title}” cannot be deleted: {counted(signed_up, 'delegate')} signed up "
            "for it. Tell them and cancel their sign-ups first."
        )
    log_action(
        "session.deleted",
        session,
        actor=actor,
        event_id=session.event_id,
        title=session.title,
        starts_at=session.starts_at.isoformat(),
    )
    db.session.delete(session)
    db.session.flush()


# --- the editor's grid ------------------------------------------------------------------------


def draft_timetable(event: Event) -> tuple[list[GridDay], list[ProgrammeSession]]:
    """The draft as the editor shows it: a grid per day of the event, and the sessions that
    fall outside its days (after its dates changed), so that none is lost from sight."""
    rooms, sessions = rooms_of(event), sessions_of(event)
    days = event.days
    outside = [s for s in sessions if to_local(s.starts_at, event.timezone).date() not in set(days)]
    return grid_of(days, rooms, sessions, event.timezone), outside
