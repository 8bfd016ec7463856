"""The delegates the message and reminder tests write to, each in a group of their own: their
status, country, organisation, tag, workshop place and check-in differ."""

from dataclasses import dataclass

import sqlalchemy as sa

from conference.extensions import db
from conference.models import (
    CheckIn,
    Event,
    Message,
    Organisation,
    OutboxEmail,
    ProgrammeSession,
    Registration,
    SessionSignup,
    SignupStatus,
    Tag,
    User,
    utcnow,
)
from conference.services.registration import tags
from tests.factories import approved, register, workshop


@dataclass
class Delegates:
    anna: Registration  # approved, Belgium, her own police unit; no workshop, not checked in
    bram: Registration  # approved, the Netherlands, Europol, VIP, in the workshop, checked in
    carla: Registration  # pending, the United States
    dirk: Registration  # approved, Belgium, only on the workshop's waiting list
    vip: Tag
    live_streaming: ProgrammeSession


def place(registration: Registration, session: ProgrammeSession, status=SignupStatus.CONFIRMED):
    db.session.add(
        SessionSignup(session_id=session.id, registration_id=registration.id, status=status)
    )


def checked_in(registration: Registration) -> None:
    event = registration.event
    db.session.add(
        CheckIn(
            event_id=event.id,
            registration_id=registration.id,
            day=event.starts_on,
            checked_in_at=utcnow(),
        )
    )


def delegates(event: Event, organiser: User) -> Delegates:
    """Four delegates with their differences; flushed, not committed."""
    anna = approved(event, "anna@police.example")
    anna.user.name = "Anna Peeters"
    bram = approved(event, "bram@europol.example")
    bram.user.name, bram.user.locale = "Bram de Vries", "nl"
    bram.country = "NL"
    bram.organisation = db.session.scalars(
        sa.select(Organisation).where(Organisation.name == "Europol")
    ).one()
    carla = register(event, "carla@fbi.example", country="US")
    carla.user.name = "Carla Jones"
    dirk = approved(event, "dirk@police.example")
    dirk.user.name = "Dirk Janssens"
    vip = tags.create_tag(event, "VIP", "red", actor=organiser)
    tags.add_tag(vip, [bram], actor=organiser)
    live_streaming = workshop(event, "Live streaming: tracing the viewers", capacity=1)
    place(bram, live_streaming)
    place(dirk, live_streaming, SignupStatus.WAITLISTED)
    checked_in(bram)
    db.session.flush()
    return Delegates(anna, bram, carla, dirk, vip, live_streaming)


def copies_of(message: Message) -> list[OutboxEmail]:
    return db.session.scalars(
        sa.select(OutboxEmail).where(OutboxEmail.message_id == message.id).order_by(OutboxEmail.id)
    ).all()


def emails_of(kind: str) -> list[OutboxEmail]:
    return db.session.scalars(
        sa.select(OutboxEmail).where(OutboxEmail.kind == kind).order_by(OutboxEmail.id)
    ).all()
