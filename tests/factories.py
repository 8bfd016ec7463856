"""The conference's people and things, made straight in the database for tests and benchmarks.

Each factory adds and flushes what it makes; the caller commits. Every account has the password
PASSWORD, and every team member the two-factor secret TOTP_SECRET, so a test logs in as anyone.
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pyotp
import sqlalchemy as sa

from conference.extensions import db
from conference.models import (
    Event,
    EventOrganisation,
    Organisation,
    ProgrammeSession,
    Registration,
    Room,
    SessionKind,
    SessionSpeaker,
    Speaker,
    SpeakerRole,
    TeamRole,
    Track,
    User,
    utcnow,
)
from conference.models import RegistrationStatus as Status
from conference.services.people import accounts
from conference.services.people.team import create_team_member
from conference.services.privacy.notices import current_notice
from conference.services.registration import workflow
from conference.services.registration.workflow import RegistrationDetails, submit_registration

PASSWORD = "correct horse battery staple"
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
AMSTERDAM = ZoneInfo("Europe/Amsterdam")


# --- the event, its people and their registrations ---------------------------------------------


def organisation(name: str, **fields) -> Organisation:
    found = db.session.scalars(sa.select(Organisation).where(Organisation.name == name)).first()
    return found or Organisation(name=name, **fields)


def make_event(
    *,
    slug="vgt-2014",
    capacity=150,
    approval_required=True,
    starts_on=date(2014, 11, 5),
    ends_on=date(2014, 11, 6),
    **fields,
) -> Event:
    host = organisation(
        "Dutch National Police", short_name="Politie", kind="law_enforcement", country="NL"
    )
    europol = organisation("Europol", short_name="Europol", kind="intergovernmental", country="NL")
    event = Event(
        slug=slug,
        name="Virtual Global Taskforce International Conference 2014",
        short_name="VGT 2014",
        reference_prefix="VGT14",
        starts_on=starts_on,
        ends_on=ends_on,
        venue="Conference centre, Amsterdam",
        city="Amsterdam",
        capacity=capacity,
        approval_required=approval_required,
        participating_countries=["NL", "US"],
        **fields,
    )
    event.organisations = [
        EventOrganisation(organisation=host, is_host=True, position=0),
        EventOrganisation(organisation=europol, position=1),
    ]
    db.session.add(event)
    db.session.flush()
    return event


def make_user(email="delegate@police.example", *, name="Dana Delegate", verified=True) -> User:
    user = User(
        email=email,
        name=name,
        password_hash=accounts.hash_password(PASSWORD),
        email_verified_at=utcnow() if verified else None,
    )
    db.session.add(user)
    db.session.flush()
    return user


def make_organiser(
    event: Event, email="organiser@politie.example", *, role=TeamRole.ORGANISER
) -> User:
    """A team member with two-factor log-in already on (its secret is TOTP_SECRET)."""
    user, _ = create_team_member(event, email, PASSWORD, name="Olga Organiser", role=role)
    user.totp_secret = TOTP_SECRET
    user.totp_enabled_at = utcnow()
    return user


def current_code(secret: str = TOTP_SECRET) -> str:
    """The code a team member's authenticator app shows now."""
    return pyotp.TOTP(secret).now()


def details(**overrides) -> RegistrationDetails:
    values = {
        "organisation": None,
        "organisation_other": "Federal Police Cybercrime Unit",
        "country": "BE",
        "job_title": "Detective Inspector",
        "dietary_needs": "Vegetarian",
        "accessibility_needs": "",
        "invitation_letter_needed": False,
        "consent_participant_list": True,
    }
    values.update(overrides)
    return RegistrationDetails(**values)


def while_registration_is_open(event: Event) -> datetime:
    """Now, or for an event that is over (the tests' event is the one of November 2014) the
    last hour before registration closed: a moment the tests' delegates may register."""
    return min(utcnow(), event.registration_ends_at - timedelta(hours=1))


def register(event: Event, email: str, **overrides):
    """A verified delegate with a freshly submitted registration, who read the event's privacy
    notice if it has one."""
    notice = current_notice(event)
    return submit_registration(
        event,
        make_user(email, name=email.partition("@")[0]),
        details(**overrides),
        now=while_registration_is_open(event),
        notice_read=notice.version if notice else None,
    )


def next_november() -> dict:
    """The tests' event's dates in a November still to come, for a test whose delegate
    registers today through a form: registration closes once an event is over."""
    year = utcnow().year + 1
    return {"starts_on": date(year, 11, 5), "ends_on": date(year, 11, 6)}


def approved(event: Event, email: str) -> Registration:
    """A delegate whose registration the organisers approved."""
    registration = register(event, email)
    if registration.status != Status.APPROVED:
        workflow.change_status(registration, Status.APPROVED, actor=None, now=utcnow())
    db.session.flush()
    return registration


# --- the programme: sessions one by one (workshops) ---------------------------------------------


def local(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment on 5 or 6 November 2014 as Amsterdam's clocks show it (aware)."""
    return datetime(2014, 11, day, hour, minute, tzinfo=AMSTERDAM)


def room(event: Event, name: str = "Amstel room", position: int = 1) -> Room:
    found = db.session.scalars(
        sa.select(Room).where(Room.event_id == event.id, Room.name == name)
    ).first()
    if found is None:
        found = Room(event=event, name=name, capacity=40, position=position)
        db.session.add(found)
    return found


def session(
    event: Event,
    title: str,
    *,
    starts: datetime,
    ends: datetime,
    kind: SessionKind = SessionKind.WORKSHOP,
    capacity: int | None = None,
    room_name: str = "Amstel room",
    abstract: str = "",
    speakers: list[tuple[Speaker, SpeakerRole]] = (),
) -> ProgrammeSession:
    found = ProgrammeSession(
        event=event,
        title=title,
        abstract=abstract,
        kind=kind,
        starts_at=starts,
        ends_at=ends,
        room=room(event, room_name),
        capacity=capacity,
    )
    found.speakers = [
        SessionSpeaker(speaker=speaker, role=role, position=n)
        for n, (speaker, role) in enumerate(speakers)
    ]
    db.session.add(found)
    db.session.flush()
    return found


def workshop(event: Event, title: str, capacity: int, day=5, start=(13, 30), end=(15, 0)):
    return session(
        event, title, starts=local(day, *start), ends=local(day, *end), capacity=capacity
    )


def publisher(event: Event) -> User:
    """The organiser who publishes the programme: the same one however often it is published."""
    email = "publisher@politie.example"
    found = db.session.scalars(sa.select(User).where(User.email == email)).first()
    return found or make_organiser(event, email)


# --- the programme: a whole two days at once (public pages, exports, benchmarks) ----------------

KINDS = ["plenary", "panel", "workshop"]
THEMES = [
    ("Child sex tourism", "orange"),
    ("Live streaming", "purple"),
    ("Victim identification", "teal"),
]


def amsterdam(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment of the event's day 0 or 1 (5 or 6 November 2014), Amsterdam time, in UTC."""
    moment = datetime.combine(datetime(2014, 11, 5 + day).date(), time(hour, minute), AMSTERDAM)
    return moment.astimezone(UTC)


@dataclass
class ProgrammeRows:
    rooms: list[Room] = field(default_factory=list)
    tracks: list[Track] = field(default_factory=list)
    speakers: list[Speaker] = field(default_factory=list)
    sessions: list[ProgrammeSession] = field(default_factory=list)


def build_programme(event: Event, *, sessions: int = 4, speakers: int = 6) -> ProgrammeRows:
    """`sessions` half-hour sessions, alternating days, three rooms at a time; each speaker in one.

    A session's first speaker chairs it when it is a panel; workshops have 20 places. Rows go
    straight into the database, not through the organisers' editor.
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
            programme_session = rows.sessions[n % len(rows.sessions)]
            first = n < len(rows.sessions)
            db.session.add(
                SessionSpeaker(
                    session_id=programme_session.id,
                    speaker_id=speaker.id,
                    role="chair" if first and programme_session.kind == "panel" else "speaker",
                    position=n,
                )
            )
    db.session.flush()
    return rows
