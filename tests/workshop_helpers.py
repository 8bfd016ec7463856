"""A small published programme with workshops, and approved delegates, for the workshop tests."""

from datetime import datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from conference.extensions import db
from conference.models import (
    Event,
    ProgrammeSession,
    Registration,
    Room,
    SessionKind,
    SessionSpeaker,
    Speaker,
    SpeakerRole,
    User,
    utcnow,
)
from conference.models import RegistrationStatus as Status
from conference.services.programme import publishing
from conference.services.registration import workflow
from tests.conftest import make_organiser, register

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


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
    email = "publisher@politie.example"
    found = db.session.scalars(sa.select(User).where(User.email == email)).first()
    return found or make_organiser(event, email)


def publish(event: Event, *, now: datetime | None = None):
    return publishing.publish(event, actor=publisher(event), now=now)


def approved(event: Event, email: str) -> Registration:
    """A delegate whose registration the organisers approved."""
    registration = register(event, email)
    if registration.status != Status.APPROVED:
        workflow.change_status(registration, Status.APPROVED, actor=None, now=utcnow())
    db.session.flush()
    return registration
