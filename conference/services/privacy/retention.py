"""The retention period: the delegates' personal data is kept for a number of months after the
event (the event's setting, 12 by default), then `flask purge` anonymises it, registration by
registration, as an erased account's is. The registrations stay, counted by status, country
and organisation for the statistics; nobody in them can be told apart any more.

The emails of the event go at the same time, and the event's messages with them: a message's
recipients are its copies in the outbox, and its own words (and the filter that chose its
group, a search typed in included) are the organisers' free text, which may name a delegate as
a note may, and notes go at the purge too. The event's email templates stay: they are its
settings, with placeholders where names would go."""

import calendar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from conference.extensions import db
from conference.models import Event, Invitation, Message, OutboxEmail, Registration, utcnow
from conference.services.audit.writing import log_action
from conference.services.privacy.anonymisation import (
    AN_INVITATION,
    PSEUDONYM_DOMAIN,
    Erasure,
    anonymise_registration,
    new_pseudonym,
    pseudonymous_holder,
)


def _months_after(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day when it has no such day."""
    year, month = divmod(day.month - 1 + months, 12)
    year, month = day.year + year, month + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def purge_at(event: Event) -> datetime:
    """When the event's personal data goes: its retention period after its last day, at the
    midnight that ends that day in the event's time zone."""
    last_day = _months_after(event.ends_on, event.retention_months)
    return datetime.combine(last_day + timedelta(days=1), time(), ZoneInfo(event.timezone))


def _kept(event: Event) -> sa.Select:
    """The event's registrations that still name someone."""
    return sa.select(Registration).where(
        Registration.event_id == event.id, Registration.anonymised_at.is_(None)
    )


@dataclass(frozen=True)
class Purge:
    """An event whose personal data is due (or, on the settings page, will be) for the purge."""

    event: Event
    at: datetime
    registrations: int  # those that still name someone
    due: bool  # the retention period is over
    emails: int = 0  # the event's emails in the outbox, sent or not
    messages: int = 0  # the organisers' messages and reminders to its delegates


def _emails_of(event: Event) -> sa.ColumnElement[bool]:
    """The event's emails, and any about one of its registrations."""
    return sa.or_(
        OutboxEmail.event_id == event.id,
        OutboxEmail.registration_id.in_(
            sa.select(Registration.id).where(Registration.event_id == event.id)
        ),
    )


def _count(model, where: sa.ColumnElement[bool]) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(where))


def purge_of(event: Event, now: datetime | None = None) -> Purge:
    count = db.session.scalar(sa.select(sa.func.count()).select_from(_kept(event).subquery()))
    at = purge_at(event)
    return Purge(
        event,
        at,
        count,
        due=at <= (now or utcnow()),
        emails=_count(OutboxEmail, _emails_of(event)),
        messages=_count(Message, Message.event_id == event.id),
    )


def due_purges(now: datetime | None = None) -> list[Purge]:
    """The events past their retention period that still hold personal data, oldest first."""
    now = now or utcnow()
    events = db.session.scalars(sa.select(Event).order_by(Event.ends_on, Event.id))
    due = [purge_of(event, now) for event in events if purge_at(event) <= now]
    return [
        purge
        for purge in due
        if purge.registrations or purge.emails or purge.messages or _open_invitations(purge.event)
    ]


def _open_invitations(event: Event) -> list[Invitation]:
    """Invitations nobody registered with: they still name the invitee."""
    return db.session.scalars(
        sa.select(Invitation).where(
            Invitation.event_id == event.id,
            Invitation.registration_id.is_(None),
            ~Invitation.email.endswith("@" + PSEUDONYM_DOMAIN),
        )
    ).all()


def purge_event(event: Event, now: datetime | None = None) -> int:
    """Anonymise every registration of the event that still names someone, each under a
    pseudonym of its own (the delegate's account lives on, for other events), and the
    invitations nobody used; the event's emails and messages are deleted; audited. Returns how
    many registrations it anonymised."""
    now = now or utcnow()
    registrations = db.session.scalars(_kept(event).order_by(Registration.id)).all()
    for registration in registrations:
        pseudonym = new_pseudonym()
        holder = pseudonymous_holder(pseudonym)
        anonymise_registration(registration, Erasure(pseudonym, holder.id, now))
    invitations = _open_invitations(event)
    for invitation in invitations:
        AN_INVITATION.anonymise([invitation.id], Erasure(new_pseudonym(), None, now))
    emails = db.session.execute(sa.delete(OutboxEmail).where(_emails_of(event))).rowcount
    messages = db.session.execute(sa.delete(Message).where(Message.event_id == event.id)).rowcount
    db.session.expire_all()
    log_action(
        "event.purged",
        event,
        actor=None,
        event_id=event.id,
        at=now,
        registrations=len(registrations),
        invitations=len(invitations),
        emails=emails,
        messages=messages,
    )
    return len(registrations)
