"""The programme's rooms, tracks and speakers, as the organisers set them up.

Names of rooms and tracks are unique per event; a speaker's organisation is one of the event's
host and partners, or typed; their account, if linked, a registered delegate's. A room or speaker
still in a session is not deleted. Every change locks the event row (`lock_event`) and is
audited in the same transaction. Sessions and their conflicts are in `services.programme.timetable`.
"""

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from conference.extensions import db
from conference.models import (
    TAG_COLOURS,
    Event,
    ProgrammeSession,
    Registration,
    RegistrationStatus,
    Room,
    SessionSpeaker,
    Speaker,
    Track,
    User,
)
from conference.services.audit.writing import log_action
from conference.services.errors import DomainError, NotFound
from conference.services.locks import lock_event
from conference.services.text import counted, one_line, paragraphs


class TimetableRefused(DomainError):
    """A change the rules do not allow."""


# --- rooms ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RoomDetails:
    name: str
    capacity: int | None
    position: int = 0


def of_event(model, event: Event, object_id: int):
    found = db.session.scalars(
        sa.select(model).where(model.id == object_id, model.event_id == event.id)
    ).first()
    if found is None:
        raise NotFound(f"That {model.__name__.lower()} is not part of this event's programme.")
    return found


def rooms_of(event: Event) -> list[Room]:
    """The event's rooms in the timetable's column order."""
    return db.session.scalars(
        sa.select(Room).where(Room.event_id == event.id).order_by(Room.position, Room.name)
    ).all()


def room_by_id(event: Event, room_id: int) -> Room:
    return of_event(Room, event, room_id)


def _name_taken(model, event: Event, name: str, but=None) -> bool:
    query = sa.select(model.id).where(
        model.event_id == event.id, sa.func.lower(model.name) == name.lower()
    )
    if but is not None:
        query = query.where(model.id != but.id)
    return db.session.scalar(query) is not None


def apply_changes(obj, wanted: dict) -> dict[str, list]:
    """Set each field to its wanted value; returns what changed, old and new."""
    changes = {}
    for field, new in wanted.items():
        old = getattr(obj, field)
        if old != new:
            changes[field] = [old, new]
            setattr(obj, field, new)
    return changes


def _created_or_changed(model, obj, wanted: dict, *, event: Event, actor: User):
    """Create a room, track or speaker (`obj` None) or change it to `wanted`, with the audit
    entry: <kind>.created with its values, or <kind>.updated with what changed."""
    kind = model.__name__.lower()
    if obj is None:
        obj = model(event_id=event.id, **wanted)
        db.session.add(obj)
        db.session.flush()
        log_action(f"{kind}.created", obj, actor=actor, event_id=event.id, **wanted)
        return obj
    changes = apply_changes(obj, wanted)
    if changes:
        log_action(f"{kind}.updated", obj, actor=actor, event_id=event.id, changes=changes)
    return obj


def save_room(event: Event, details: RoomDetails, *, actor: User, room: Room | None = None) -> Room:
    """Create a room (`room` None) or change one; names are unique per event, whatever case."""
    event = lock_event(event.id)
    name = one_line(details.name)
    if _name_taken(Room, event, name, but=room):
        raise TimetableRefused(f"There is already a room called “{name}”.", "name")
    wanted = {"name": name, "capacity": details.capacity, "position": details.position}
    return _created_or_changed(Room, room, wanted, event=event, actor=actor)


def delete_room(room: Room, *, actor: User) -> None:
    """Delete a room; refused while sessions take place in it (they would lose their place)."""
    lock_event(room.event_id)
    held = db.session.scalars(
        sa.select(ProgrammeSession.title)
        .where(ProgrammeSession.room_id == room.id)
        .order_by(ProgrammeSession.starts_at)
    ).all()
    if held:
        raise TimetableRefused(
            f"{room.name} cannot be deleted: it holds {counted(len(held), 'session')} "
            f"({_titles(held)}). Move them to another room or delete them first."
        )
    log_action("room.deleted", room, actor=actor, event_id=room.event_id, name=room.name)
    db.session.delete(room)
    db.session.flush()


def _titles(titles: list[str], most: int = 3) -> str:
    shown = ", ".join(f"“{title}”" for title in titles[:most])
    return shown + (f" and {len(titles) - most} more" if len(titles) > most else "")


# --- tracks -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrackDetails:
    name: str
    colour: str
    description: str = ""


def tracks_of(event: Event) -> list[Track]:
    return db.session.scalars(
        sa.select(Track).where(Track.event_id == event.id).order_by(Track.name)
    ).all()


def track_by_id(event: Event, track_id: int) -> Track:
    return of_event(Track, event, track_id)


def save_track(
    event: Event, details: TrackDetails, *, actor: User, track: Track | None = None
) -> Track:
    """Create a track (`track` None) or change one; a colour of the palette, a unique name."""
    event = lock_event(event.id)
    name = one_line(details.name)
    if details.colour not in TAG_COLOURS:
        raise TimetableRefused(f"{details.colour!r} is not one of the colours.", "colour")
    if _name_taken(Track, event, name, but=track):
        raise TimetableRefused(f"There is already a track called “{name}”.", "name")
    wanted = {
        "name": name,
        "colour": details.colour,
        "description": paragraphs(details.description),
    }
    return _created_or_changed(Track, track, wanted, event=event, actor=actor)


def delete_track(track: Track, *, actor: User) -> int:
    """Delete a track; its sessions stay, without a track. Returns how many had it."""
    lock_event(track.event_id)
    had = db.session.scalar(sa.select(sa.func.count()).where(ProgrammeSession.track_id == track.id))
    log_action(
        "track.deleted", track, actor=actor, event_id=track.event_id, name=track.name, sessions=had
    )
    db.session.execute(
        sa.update(ProgrammeSession)
        .where(ProgrammeSession.track_id == track.id)
        .values(track_id=None)
        .execution_options(synchronize_session=False)
    )
    db.session.delete(track)
    db.session.flush()
    return had


# --- speakers ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SpeakerDetails:
    name: str
    title: str = ""
    organisation_id: int | None = None  # one of the event's host and partners
    organisation_other: str = ""  # or typed
    bio: str = ""
    user_email: str = ""  # a delegate registered for the event, to link their account


def speakers_of(event: Event) -> list[Speaker]:
    return db.session.scalars(
        sa.select(Speaker)
        .where(Speaker.event_id == event.id)
        .options(selectinload(Speaker.organisation), selectinload(Speaker.user))
        .order_by(Speaker.name, Speaker.id)
    ).all()


def speaker_by_id(event: Event, speaker_id: int) -> Speaker:
    return of_event(Speaker, event, speaker_id)


def _delegate_by_email(event: Event, email: str) -> User:
    """The account of a delegate registered for the event (not cancelled, not rejected)."""
    user = db.session.scalars(
        sa.select(User)
        .join(Registration, Registration.user_id == User.id)
        .where(
            Registration.event_id == event.id,
            Registration.status.not_in([RegistrationStatus.CANCELLED, RegistrationStatus.REJECTED]),
            User.email == email.strip().lower(),
        )
    ).first()
    if user is None:
        raise TimetableRefused(
            f"No delegate registered for {event.short_name} has the address {email.strip()}.",
            "user_email",
        )
    return user


def save_speaker(
    event: Event, details: SpeakerDetails, *, actor: User, speaker: Speaker | None = None
) -> Speaker:
    """Create a speaker (`speaker` None) or change one. Their organisation is one of the event's
    host and partners, or typed; their account, if linked, a registered delegate's."""
    event = lock_event(event.id)
    if details.organisation_id is not None and details.organisation_id not in {
        link.organisation_id for link in event.organisations
    }:
        raise TimetableRefused("Choose one of the event's organisations.", "organisation")
    user_id = None
    if details.user_email.strip():
        user_id = _delegate_by_email(event, details.user_email).id
        other = db.session.scalars(
            sa.select(Speaker).where(
                Speaker.event_id == event.id,
                Speaker.user_id == user_id,
                Speaker.id != (speaker.id if speaker else -1),
            )
        ).first()
        if other is not None:
            raise TimetableRefused(
                f"That account is already linked to the speaker {other.name}.", "user_email"
            )
    wanted = {
        "name": one_line(details.name),
        "title": one_line(details.title),
        "organisation_id": details.organisation_id,
        "organisation_other": ""
        if details.organisation_id
        else one_line(details.organisation_other),
        "bio": paragraphs(details.bio),
        "user_id": user_id,
    }
    return _created_or_changed(Speaker, speaker, wanted, event=event, actor=actor)


def delete_speaker(speaker: Speaker, *, actor: User) -> None:
    """Delete a speaker; refused while they have a part in a session."""
    lock_event(speaker.event_id)
    parts = db.session.scalars(
        sa.select(ProgrammeSession.title)
        .join(SessionSpeaker, SessionSpeaker.session_id == ProgrammeSession.id)
        .where(SessionSpeaker.speaker_id == speaker.id)
        .order_by(ProgrammeSession.starts_at)
    ).all()
    if parts:
        raise TimetableRefused(
            f"{speaker.name} cannot be deleted: they take part in {_titles(parts)}. "
            "Take them off those sessions first."
        )
    log_action(
        "speaker.deleted", speaker, actor=actor, event_id=speaker.event_id, name=speaker.name
    )
    db.session.delete(speaker)
    db.session.flush()
