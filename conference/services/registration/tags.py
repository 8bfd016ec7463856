"""Tags: coloured labels an event's organisers define and put on registrations.

Tagging changes no status and tells the delegate nothing; it is audited like every change.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from conference.extensions import db
from conference.models import TAG_COLOURS, Event, Registration, Tag, User
from conference.models.registration import registration_tag
from conference.services.audit.writing import log_action
from conference.services.errors import AlreadyExists, NotAllowed


def tag_by_id(event: Event, tag_id: int) -> Tag | None:
    """The tag, if it belongs to this event (a tag id from another event finds nothing)."""
    return db.session.scalars(
        sa.select(Tag).where(Tag.id == tag_id, Tag.event_id == event.id)
    ).first()


def tags_with_counts(event: Event) -> list[tuple[Tag, int]]:
    """The event's tags by name, each with how many registrations carry it."""
    carried = sa.func.count(registration_tag.c.registration_id)
    return db.session.execute(
        sa.select(Tag, carried)
        .outerjoin(registration_tag, registration_tag.c.tag_id == Tag.id)
        .where(Tag.event_id == event.id)
        .group_by(Tag.id)
        .order_by(Tag.name)
    ).all()


def create_tag(event: Event, name: str, colour: str, *, actor: User) -> Tag:
    """A new tag; names are unique per event, whatever their case."""
    name = " ".join(name.split())
    if colour not in TAG_COLOURS:
        raise NotAllowed(f"{colour!r} is not one of the tag colours.")
    taken = db.session.scalar(
        sa.select(Tag.id).where(Tag.event_id == event.id, sa.func.lower(Tag.name) == name.lower())
    )
    if taken is not None:
        raise AlreadyExists(f"There is already a tag called “{name}”.")
    tag = Tag(event_id=event.id, name=name, colour=colour)
    try:
        with db.session.begin_nested():  # a double click that slipped past the check above
            db.session.add(tag)
            db.session.flush()
    except IntegrityError as error:
        raise AlreadyExists(f"There is already a tag called “{name}”.") from error
    log_action("tag.created", tag, actor=actor, event_id=event.id, name=name, colour=colour)
    return tag


def delete_tag(tag: Tag, *, actor: User) -> int:
    """Remove the tag from the event and from every registration; returns how many carried it."""
    carried = db.session.scalar(
        sa.select(sa.func.count()).where(registration_tag.c.tag_id == tag.id)
    )
    log_action(
        "tag.deleted", tag, actor=actor, event_id=tag.event_id, name=tag.name, removed_from=carried
    )
    db.session.execute(sa.delete(registration_tag).where(registration_tag.c.tag_id == tag.id))
    db.session.delete(tag)
    db.session.flush()
    return carried


def _carrying(tag: Tag, registrations: Sequence[Registration]) -> set[int]:
    ids = [registration.id for registration in registrations]
    carrying: set[int] = set()
    for start in range(0, len(ids), 500):  # stay under every database's limit on parameters
        carrying.update(
            db.session.scalars(
                sa.select(registration_tag.c.registration_id).where(
                    registration_tag.c.tag_id == tag.id,
                    registration_tag.c.registration_id.in_(ids[start : start + 500]),
                )
            )
        )
    return carrying


def add_tag(tag: Tag, registrations: Sequence[Registration], *, actor: User) -> list[Registration]:
    """Put the tag on each registration that lacks it; returns those that got it."""
    _same_event(tag, registrations)
    carrying = _carrying(tag, registrations)
    tagged = [r for r in registrations if r.id not in carrying]
    if tagged:
        db.session.execute(
            sa.insert(registration_tag),
            [{"registration_id": r.id, "tag_id": tag.id} for r in tagged],
        )
    _record("registration.tagged", tag, tagged, actor)
    return tagged


def remove_tag(
    tag: Tag, registrations: Sequence[Registration], *, actor: User
) -> list[Registration]:
    """Take the tag off each registration that carries it; returns those that lost it."""
    _same_event(tag, registrations)
    carrying = _carrying(tag, registrations)
    untagged = [r for r in registrations if r.id in carrying]
    for start in range(0, len(untagged), 500):
        db.session.execute(
            sa.delete(registration_tag).where(
                registration_tag.c.tag_id == tag.id,
                registration_tag.c.registration_id.in_(
                    [r.id for r in untagged[start : start + 500]]
                ),
            )
        )
    _record("registration.untagged", tag, untagged, actor)
    return untagged


def _record(action: str, tag: Tag, changed: Sequence[Registration], actor: User) -> None:
    """An audit entry per registration whose tags changed; their `tags` are read afresh."""
    for registration in changed:
        log_action(
            action,
            registration,
            actor=actor,
            event_id=tag.event_id,
            reference=registration.reference,
            tag=tag.name,
        )
        db.session.expire(registration, ["tags"])


def _same_event(tag: Tag, registrations: Sequence[Registration]) -> None:
    if any(registration.event_id != tag.event_id for registration in registrations):
        raise NotAllowed("A tag belongs to one event and labels only its registrations.")


def tag_registration(
    registration: Registration, tag_id: int, *, actor: User, remove: bool = False
) -> Tag:
    """Put one of the event's tags on a registration, or take it off (`remove`)."""
    tag = tag_by_id(registration.event, tag_id)
    if tag is None:
        raise NotAllowed("That tag is not one of this event's tags.")
    (remove_tag if remove else add_tag)(tag, [registration], actor=actor)
    return tag


def delete_tag_by_id(event: Event, tag_id: int, *, actor: User) -> tuple[Tag, int]:
    """Delete one of the event's tags; returns it and how many registrations carried it."""
    tag = tag_by_id(event, tag_id)
    if tag is None:
        raise NotAllowed("That tag is not one of this event's tags.")
    return tag, delete_tag(tag, actor=actor)
