"""The published programme: the snapshot the public pages, calendar feeds and schedule exports
read, and publishing, which writes it.

Organisers edit rooms, tracks, speakers and sessions freely (`services.programme.timetable`); nobody
outside the team sees those edits until an organiser publishes. Publishing copies the whole
programme into a new `ProgrammeVersion` and points the event at it (`Event.programme_version`).
Reading it back is one query, whatever the size of the programme.
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from conference import local_time
from conference.extensions import db
from conference.models import (
    Event,
    ProgrammeSession,
    ProgrammeVersion,
    SessionKind,
    SpeakerRole,
    User,
    utcnow,
)
from conference.models.event import days_between
from conference.services.audit.writing import log_action
from conference.services.errors import AlreadyDone
from conference.services.locks import lock_event
from conference.services.programme.rooms_tracks_speakers import rooms_of, speakers_of, tracks_of

# The snapshot's shape; raise it when the shape changes, and teach `_programme_from` the old one.
SNAPSHOT_FORMAT = 1


@dataclass(frozen=True)
class PublishedRoom:
    id: int
    name: str
    capacity: int | None


@dataclass(frozen=True)
class PublishedTrack:
    id: int
    name: str
    colour: str
    description: str


@dataclass(frozen=True)
class PublishedSpeaker:
    id: int
    name: str
    title: str
    organisation: str
    bio: str


@dataclass(frozen=True)
class Appearance:
    """A speaker's part in a session."""

    speaker_id: int
    role: SpeakerRole


@dataclass(frozen=True)
class PublishedSession:
    id: int
    title: str
    abstract: str
    kind: SessionKind
    starts_at: datetime  # aware, UTC
    ends_at: datetime
    room_id: int | None
    track_id: int | None
    capacity: int | None  # places to sign up for; None: no sign-up
    appearances: tuple[Appearance, ...] = ()

    @property
    def duration(self) -> timedelta:
        return self.ends_at - self.starts_at

    @property
    def needs_signup(self) -> bool:
        return self.capacity is not None


@dataclass(frozen=True)
class Programme:
    """One published version of an event's programme, sessions in time order."""

    event_id: int
    version: int
    published_at: datetime
    timezone: str
    first_day: date
    last_day: date
    rooms: tuple[PublishedRoom, ...]  # in the timetable's column order
    tracks: tuple[PublishedTrack, ...]
    speakers: tuple[PublishedSpeaker, ...]  # by name
    sessions: tuple[PublishedSession, ...]  # by start, then room order
    _index: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def zone(self) -> ZoneInfo:
        return local_time.zone(self.timezone)

    def local(self, moment: datetime) -> datetime:
        return local_time.in_zone(moment, self.timezone)

    @property
    def days(self) -> list[date]:
        return days_between(self.first_day, self.last_day)

    def sessions_on(self, day: date, track_id: int | None = None) -> list[PublishedSession]:
        return [
            session
            for session in self.sessions
            if self.local(session.starts_at).date() == day
            and (track_id is None or session.track_id == track_id)
        ]

    def _by_id(self, kind: str, items) -> dict:
        if kind not in self._index:
            self._index[kind] = {item.id: item for item in items}
        return self._index[kind]

    def room(self, room_id: int | None) -> PublishedRoom | None:
        return self._by_id("rooms", self.rooms).get(room_id)

    def track(self, track_id: int | None) -> PublishedTrack | None:
        return self._by_id("tracks", self.tracks).get(track_id)

    def speaker(self, speaker_id: int) -> PublishedSpeaker | None:
        return self._by_id("speakers", self.speakers).get(speaker_id)

    def session(self, session_id: int) -> PublishedSession | None:
        return self._by_id("sessions", self.sessions).get(session_id)

    def sessions_of(self, speaker_id: int) -> list[PublishedSession]:
        return [
            session
            for session in self.sessions
            if any(a.speaker_id == speaker_id for a in session.appearances)
        ]


# --- writing a snapshot -----------------------------------------------------------------------


def snapshot(event: Event) -> dict:
    """The event's programme as it stands now, in the snapshot's JSON shape."""
    rooms, tracks, speakers = rooms_of(event), tracks_of(event), speakers_of(event)
    room_order = {room.id: index for index, room in enumerate(rooms)}
    sessions = sorted(
        db.session.scalars(
            sa.select(ProgrammeSession)
            .where(ProgrammeSession.event_id == event.id)
            .options(selectinload(ProgrammeSession.speakers))
        ).all(),
        key=lambda s: (s.starts_at, room_order.get(s.room_id, len(rooms)), s.id),
    )
    # Only speakers with a part in a session appear in public.
    on_programme = {part.speaker_id for s in sessions for part in s.speakers}
    return {
        "format": SNAPSHOT_FORMAT,
        "timezone": event.timezone,
        "first_day": event.starts_on.isoformat(),
        "last_day": event.ends_on.isoformat(),
        "rooms": [{"id": r.id, "name": r.name, "capacity": r.capacity} for r in rooms],
        "tracks": [
            {"id": t.id, "name": t.name, "colour": t.colour, "description": t.description}
            for t in tracks
        ],
        "speakers": [
            {
                "id": s.id,
                "name": s.name,
                "title": s.title,
                "organisation": s.organisation_name,
                "bio": s.bio,
            }
            for s in speakers
            if s.id in on_programme
        ],
        "sessions": [
            {
                "id": s.id,
                "title": s.title,
                "abstract": s.abstract,
                "kind": s.kind,
                # In UTC, as the database hands them back: a session just typed in carries
                # the offset it was typed in until it is read again.
                "starts_at": s.starts_at.astimezone(UTC).isoformat(),
                "ends_at": s.ends_at.astimezone(UTC).isoformat(),
                "room_id": s.room_id,
                "track_id": s.track_id,
                "capacity": s.capacity,
                "appearances": [
                    {"speaker_id": part.speaker_id, "role": part.role} for part in s.speakers
                ],
            }
            for s in sessions
        ],
    }


def latest_version(event: Event) -> ProgrammeVersion | None:
    """The version the public sees, with its content; None before the first publication."""
    if event.programme_version is None:
        return None
    return db.session.scalars(
        sa.select(ProgrammeVersion).where(
            ProgrammeVersion.event_id == event.id,
            ProgrammeVersion.number == event.programme_version,
        )
    ).one()


def _as_the_public_sees_it(content: dict) -> tuple:
    """A snapshot read as the public pages read it, where 15:45+01:00 and 14:45+00:00 are the
    same moment; which version it is, and when it was published, do not count."""
    programme = _programme_from(0, 0, datetime.min.replace(tzinfo=UTC), content)
    return (
        programme.timezone,
        programme.first_day,
        programme.last_day,
        programme.rooms,
        programme.tracks,
        programme.speakers,
        programme.sessions,
    )


def _same_for_the_public(published: dict, draft: dict) -> bool:
    return _as_the_public_sees_it(published) == _as_the_public_sees_it(draft)


def has_unpublished_changes(event: Event) -> bool:
    """Whether publishing now would show the public a different programme (or it was never
    published). What counts is what the public would see, not how the snapshot is written."""
    latest = latest_version(event)
    return latest is None or not _same_for_the_public(latest.content, snapshot(event))


def publish(event: Event, *, actor: User, now: datetime | None = None) -> ProgrammeVersion:
    """Make the programme as it stands the one the public sees, as the next version.

    Refused when the public would see nothing new (`has_unpublished_changes`). The event lock
    makes a double click publish once, and two organisers take turns.
    """
    event = lock_event(event.id)
    latest = latest_version(event)
    draft = snapshot(event)
    if latest is not None and _same_for_the_public(latest.content, draft):
        raise AlreadyDone(
            f"Nothing has changed since version {latest.number}: the public sees this programme."
        )
    version = ProgrammeVersion(
        event_id=event.id,
        number=(latest.number + 1) if latest else 1,
        content=draft,
        published_at=now or utcnow(),
        published_by_id=actor.id,
    )
    db.session.add(version)
    db.session.flush()
    event.programme_version = version.number
    log_action(
        "programme.published",
        event,
        actor=actor,
        event_id=event.id,
        version=version.number,
        sessions=len(version.content["sessions"]),
    )
    return version


# --- reading it -------------------------------------------------------------------------------


def published_programme(event: Event) -> Programme | None:
    """The programme the public sees; None while it has never been published.

    The event says which version that is: one query reads it, none when there is none.
    """
    version = latest_version(event)
    if version is None:
        return None
    return _programme_from(event.id, version.number, version.published_at, version.content)


def _programme_from(event_id: int, number: int, published_at: datetime, c: dict) -> Programme:
    return Programme(
        event_id=event_id,
        version=number,
        published_at=published_at,
        timezone=c["timezone"],
        first_day=date.fromisoformat(c["first_day"]),
        last_day=date.fromisoformat(c["last_day"]),
        rooms=tuple(PublishedRoom(**r) for r in c["rooms"]),
        tracks=tuple(PublishedTrack(**t) for t in c["tracks"]),
        speakers=tuple(PublishedSpeaker(**s) for s in c["speakers"]),
        sessions=tuple(
            PublishedSession(
                id=s["id"],
                title=s["title"],
                abstract=s["abstract"],
                kind=SessionKind(s["kind"]),
                starts_at=datetime.fromisoformat(s["starts_at"]),
                ends_at=datetime.fromisoformat(s["ends_at"]),
                room_id=s["room_id"],
                track_id=s["track_id"],
                capacity=s["capacity"],
                appearances=tuple(
                    Appearance(a["speaker_id"], SpeakerRole(a["role"])) for a in s["appearances"]
                ),
            )
            for s in c["sessions"]
        ),
    )
