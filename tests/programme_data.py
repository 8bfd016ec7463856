"""A programme for tests and benchmarks: rooms, tracks, speakers and sessions over both days.

Rows straight into the database (the organisers' editor is another helper's); `publish` from
`services.programme.publishing` makes them public.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from conference.extensions import db
from conference.models import (
    Event,
    ProgrammeSession,
    Room,
    SessionSpeaker,
    Speaker,
    Track,
    User,
)
from conference.services.programme import publishing

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
KINDS = ["plenary", "panel", "workshop"]
THEMES = [
    ("Child sex tourism", "orange"),
    ("Live streaming", "purple"),
    ("Victim identification", "teal"),
]


def amsterdam(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment of the event's day 0 or 1 (5 or 6 November 2014), Amsterdam time, in UTC."""
    local = datetime.combine(datetime(2014, 11, 5 + day).date(), time(hour, minute), AMSTERDAM)
    return local.astimezone(UTC)


@dataclass
class ProgrammeRows:
    rooms: list[Room] = field(default_factory=list)
    tracks: list[Track] = field(default_factory=list)
    speakers: list[Speaker] = field(default_factory=list)
    sessions: list[ProgrammeSession] = field(default_factory=list)


def build_programme(event: Event, *, sessions: int = 4, speakers: int = 6) -> ProgrammeRows:
    """`sessions` half-hour sessions, alternating days, three rooms at a time; each speaker in one.

    A session's first speaker chairs it when it is a panel; workshops have 20 places.
    """
    rows = ProgrammeRows()
    for position, (name, capacity) in enumerate(
        [("Main hall", 200), ("Room Amsterdam", 60), ("Room Utrecht", 40)]
    ):
        rows.rooms.append(Room(event_id=event.id, name=name, capacity=capacity, position=position))
    for name, colour in THEMES:
        rows.tracks.append(Track(event_id=event.id, name=name, colour=colour))
    for n in range(speakers):
        rows.speakers.append(
            Speaker(
                event_id=event.id,
                name=f"Speaker {n:02d}",
                title="Detective Inspector",
                organisation_other="Europol",
                bio=f"Speaker {n:02d} has worked on victim identification for years.",
            )
        )
    db.session.add_all(rows.rooms + rows.tracks + rows.speakers)
    db.session.flush()
    for n in range(sessions):
        day, slot = n % 2, n // 2
        kind = KINDS[n % len(KINDS)]
        starts = amsterdam(day, 9) + timedelta(minutes=30 * (slot // len(rows.rooms)))
        rows.sessions.append(
            ProgrammeSession(
                event_id=event.id,
                title=f"Session {n:02d}: {THEMES[n % len(THEMES)][0].lower()}",
                abstract="What we learned.\n\nWhat we do next.",
                kind=kind,
                starts_at=starts,
                ends_at=starts + timedelta(minutes=30),
                room_id=rows.rooms[slot % len(rows.rooms)].id,
                track_id=rows.tracks[n % len(rows.tracks)].id,
                capacity=20 if kind == "workshop" else None,
            )
        )
    db.session.add_all(rows.sessions)
    db.session.flush()
    if rows.sessions:
        for n, speaker in enumerate(rows.speakers):
            session = rows.sessions[n % len(rows.sessions)]
            first = n < len(rows.sessions)
            db.session.add(
                SessionSpeaker(
                    session_id=session.id,
                    speaker_id=speaker.id,
                    role="chair" if first and session.kind == "panel" else "speaker",
                    position=n,
                )
            )
    db.session.flush()
    return rows


def publish(event: Event, organiser: User) -> int:
    """Publishes the programme as it stands and commits; the version's number."""
    version = publishing.publish(event, actor=organiser)
    db.session.commit()
    return version.number
