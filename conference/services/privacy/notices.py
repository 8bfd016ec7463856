"""The event's privacy notice: written by the organisers, read by every delegate before the
registration form.

Each saved change is a new version; the versions before it stay as they were. A registration
names the version its delegate read; when a newer one is published, the delegate's registration
page says which parts changed and asks them to read it (nothing of their registration changes).
An event without a notice asks nobody to read one.
"""

from dataclasses import astuple, dataclass, fields
from datetime import datetime

import sqlalchemy as sa

from conference.extensions import db
from conference.models import Event, PrivacyNotice, Registration, User, utcnow
from conference.services.audit.writing import log_action
from conference.services.errors import DomainError
from conference.services.locks import lock_event
from conference.services.text import paragraphs


class NoticeNotRead(DomainError):
    """The delegate has not read the privacy notice in force (it changed since, say)."""


class NoticeIncomplete(DomainError):
    """A notice must say every part: a data protection officer signs off nothing less."""

    status_code = 400


@dataclass(frozen=True)
class NoticeText:
    """What a privacy notice says, part by part, in the order the page shows them."""

    controller: str
    purpose: str
    legal_basis: str
    retention: str
    contact: str
    rights: str

    def cleaned(self) -> "NoticeText":
        return NoticeText(*(paragraphs(part) for part in astuple(self)))


# Each part's heading, on the notice's page and in "what changed".
HEADINGS = {
    "controller": "Who is responsible for your data",
    "purpose": "What we use it for",
    "legal_basis": "On what legal basis",
    "retention": "How long we keep it",
    "contact": "Whom to ask",
    "rights": "Your rights",
}
PARTS = tuple(f.name for f in fields(NoticeText))


def text_of(notice: PrivacyNotice) -> NoticeText:
    return NoticeText(*(getattr(notice, part) for part in PARTS))


def current_notice(event: Event) -> PrivacyNotice | None:
    """The version in force: the latest one published."""
    return db.session.scalars(
        sa.select(PrivacyNotice)
        .where(PrivacyNotice.event_id == event.id)
        .order_by(PrivacyNotice.version.desc())
        .limit(1)
    ).first()


def notice_version(event: Event, version: int) -> PrivacyNotice | None:
    return db.session.scalars(
        sa.select(PrivacyNotice).where(
            PrivacyNotice.event_id == event.id, PrivacyNotice.version == version
        )
    ).first()


def publish_notice(
    event: Event, text: NoticeText, *, actor: User, now: datetime | None = None
) -> PrivacyNotice | None:
    """Save the organisers' notice as a new version; None when it says what the current one
    says. Under the event lock, so two organisers saving at once make two versions, not one
    number twice."""
    text = text.cleaned()
    empty = [part for part in PARTS if not getattr(text, part)]
    if empty:
        raise NoticeIncomplete(
            f"Write every part of the notice: {', '.join(HEADINGS[p] for p in empty)}.", empty[0]
        )
    event = lock_event(event.id)
    current = current_notice(event)
    if current is not None and text_of(current) == text:
        return None
    notice = PrivacyNotice(
        event_id=event.id,
        version=current.version + 1 if current else 1,
        published_by_id=actor.id,
        published_at=now or utcnow(),
        **{part: getattr(text, part) for part in PARTS},
    )
    db.session.add(notice)
    db.session.flush()
    log_action(
        "privacy_notice.published",
        event,
        actor=actor,
        event_id=event.id,
        version=notice.version,
        changed=changed_parts(current, notice) if current else [],
    )
    return notice


def changed_parts(old: PrivacyNotice, new: PrivacyNotice) -> list[str]:
    """The headings of the parts that `new` words differently from `old`."""
    return [HEADINGS[part] for part in PARTS if getattr(old, part) != getattr(new, part)]


def needs_reading(event: Event, read_version: int | None) -> PrivacyNotice | None:
    """The notice a delegate who read `read_version` (None: none) must read before they
    register: the current one, unless that is the one they read."""
    current = current_notice(event)
    if current is None or current.version == read_version:
        return None
    return current


def require_read(event: Event, read_version: int | None) -> int | None:
    """The version of the notice in force, which the delegate must have read before they
    register; None for an event without a notice."""
    current = current_notice(event)
    if current is None:
        return None
    if current.version != read_version:
        raise NoticeNotRead(
            f"Please read the privacy notice of {event.short_name} (version {current.version}"
            f"{', which changed since you read it' if read_version else ''}) before you "
            "register. What you entered is kept below: send it again once you have read it."
        )
    return current.version


@dataclass(frozen=True)
class NoticeChange:
    """A newer notice than the one the delegate read, and what it changed."""

    read: int | None  # the version they read, if any
    current: PrivacyNotice
    changed: list[str]  # headings of the parts that changed; every part when they read none


def unread_change(registration: Registration) -> NoticeChange | None:
    """What the registration's delegate has not read yet of the event's notice; None when
    they have read the version in force (or the event has none)."""
    current = needs_reading(registration.event, registration.privacy_notice_version)
    if current is None:
        return None
    read = registration.privacy_notice_version
    earlier = notice_version(registration.event, read) if read else None
    changed = changed_parts(earlier, current) if earlier else [HEADINGS[p] for p in PARTS]
    return NoticeChange(read, current, changed)


def mark_read(
    registration: Registration, notice: PrivacyNotice, *, actor: User, now: datetime | None = None
) -> bool:
    """The delegate has read `notice` (of their own event): stored with the registration,
    audited; False when it was the version they had read already."""
    if notice.event_id != registration.event_id:
        raise ValueError("a notice of another event")
    if registration.privacy_notice_version == notice.version:
        return False
    registration.privacy_notice_version = notice.version
    registration.privacy_notice_read_at = now or utcnow()
    log_action(
        "registration.privacy_notice_read",
        registration,
        actor=actor,
        event_id=registration.event_id,
        reference=registration.reference,
        version=notice.version,
    )
    return True
