"""Reminders: messages to a group that the mail worker sends when their moment comes.

A reminder is a `Message` with `is_reminder` set, scheduled for `send_at` (UTC): "7 days before
the event at 09:00" in the event's time zone (`days_before` kept, so the form shows it so), or
an exact moment. Until then organisers may change or cancel it; once it is sent or cancelled it
is read-only. Its group is read when it goes out, not when it was written.

Each reminder goes out once, however many workers run and however late they come: the one
that moves it from scheduled to sent with a conditional UPDATE (`... WHERE state =
'scheduled'`) sends it, in that same transaction; the others see it sent and leave it. A
change or cancellation takes the same guard, so none lands on a reminder sent meanwhile.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa

from conference.extensions import db
from conference.local_time import clock_change_problem, format_local_time, to_utc
from conference.models import Event, Message, MessageState, User, utcnow
from conference.services.audit.writing import log_action
from conference.services.errors import DomainError, InvalidTransition
from conference.services.mail.email_templates import template_for
from conference.services.mail.messages import check_message_text, deliver_to_group
from conference.services.registration.listing import RegistrationFilter
from conference.services.text import counted


class InvalidMoment(DomainError):
    status_code = 400


@dataclass(frozen=True)
class When:
    """When a reminder goes out, as the organiser gave it: `days_before` the event's first day
    at `at` (the event's local time), or on `on` at `at`."""

    at: time
    days_before: int | None = None
    on: date | None = None

    def moment(self, event: Event) -> datetime:
        """The UTC moment this stands for in the event's time zone."""
        day = event.starts_on - timedelta(days=self.days_before) if self.on is None else self.on
        local = datetime.combine(day, self.at)
        problem = clock_change_problem(local, event.timezone)
        if problem:
            raise InvalidMoment(problem, field="at")
        return to_utc(local, event.timezone)


def default_words(event: Event, language: str = "en") -> tuple[str, str]:
    """The words a new reminder starts with: the event's reminder email, or the default."""
    return template_for(event, "reminder", language)


def _checked(event: Event, subject: str, body: str, when: When, now: datetime) -> datetime:
    check_message_text(subject, body)
    send_at = when.moment(event)
    if send_at <= now:
        raise InvalidMoment(
            f"{format_local_time(send_at, event.timezone)} has passed: "
            "choose a moment still to come.",
            field="days_before" if when.on is None else "on",
        )
    return send_at


def schedule_reminder(
    event: Event,
    *,
    subject: str,
    body: str,
    filters: RegistrationFilter,
    when: When,
    actor: User,
    now: datetime | None = None,
) -> Message:
    """Schedule a reminder to the group `filters` at `when`, a moment still to come."""
    now = now or utcnow()
    send_at = _checked(event, subject, body, when, now)
    reminder = Message(
        event_id=event.id,
        subject=subject,
        body=body,
        audience=filters.as_args(),
        state=MessageState.SCHEDULED.value,
        is_reminder=True,
        send_at=send_at,
        days_before=when.days_before if when.on is None else None,
        created_by_id=actor.id,
        created_at=now,
    )
    db.session.add(reminder)
    db.session.flush()
    _log_words_and_moment("reminder.scheduled", reminder, actor)
    return reminder


def _while_scheduled(reminder: Message, **values) -> None:
    """Change the reminder only if it is still scheduled: the conditional UPDATE that a worker
    sending it at this moment also takes, so exactly one of them wins."""
    changed = _if_scheduled(reminder.id, **values)
    db.session.refresh(reminder)
    if not changed:
        state = MessageState(reminder.state)
        if state == MessageState.SENT:
            when = format_local_time(reminder.sent_at, _timezone_of(reminder))
            raise InvalidTransition(
                f"This reminder was sent meanwhile ({when}, to "
                f"{reminder.recipient_count} delegates): a sent reminder can no longer change."
            )
        raise InvalidTransition("This reminder was cancelled: it can no longer change.")


def _log_words_and_moment(action: str, reminder: Message, actor: User) -> None:
    log_action(
        action,
        reminder,
        actor=actor,
        event_id=reminder.event_id,
        subject=reminder.subject,
        send_at=reminder.send_at.isoformat(),
        filters=reminder.audience,
    )


def _timezone_of(reminder: Message) -> str:
    return db.session.get(Event, reminder.event_id).timezone


def change_reminder(
    reminder: Message,
    *,
    subject: str,
    body: str,
    filters: RegistrationFilter,
    when: When,
    actor: User,
    now: datetime | None = None,
) -> Message:
    """Change a reminder's words, group or moment before it is sent; refused once it is sent
    or cancelled, also when that happened since the organiser opened it."""
    now = now or utcnow()
    event = db.session.get(Event, reminder.event_id)
    send_at = _checked(event, subject, body, when, now)
    _while_scheduled(
        reminder,
        subject=subject,
        body=body,
        audience=filters.as_args(),
        send_at=send_at,
        days_before=when.days_before if when.on is None else None,
    )
    _log_words_and_moment("reminder.changed", reminder, actor)
    return reminder


def cancel_reminder(reminder: Message, *, actor: User) -> Message:
    """Call a reminder off before it is sent; refused once it is sent."""
    _while_scheduled(reminder, state=MessageState.CANCELLED.value)
    log_action(
        "reminder.cancelled",
        reminder,
        actor=actor,
        event_id=reminder.event_id,
        subject=reminder.subject,
    )
    return reminder


def due_in_words(send_at: datetime, now: datetime | None = None) -> str:
    """How soon a reminder is due, as people say it: "in 3 days", "in 5 hours"; one whose
    moment has passed goes out with the mail worker's next run."""
    left = send_at - (now or utcnow())
    if left <= timedelta(0):
        return "due now: it goes out with the mail worker's next run"
    for unit, size in (("day", timedelta(days=1)), ("hour", timedelta(hours=1))):
        if left >= size:
            return f"in {counted(round(left / size), unit)}"
    return f"in {counted(max(1, round(left / timedelta(minutes=1))), 'minute')}"


def reminders_of(event: Event) -> list[Message]:
    """The event's reminders: the scheduled ones first, soonest first, then the others."""
    return db.session.scalars(
        sa.select(Message)
        .where(Message.event_id == event.id, Message.is_reminder.is_(True))
        .order_by(
            (Message.state != MessageState.SCHEDULED).asc(),
            Message.send_at.asc(),
            Message.id.asc(),
        )
    ).all()


def _if_scheduled(reminder_id: int, **values) -> bool:
    """Set `values` on the reminder if it is still scheduled, in one conditional UPDATE; False
    when it no longer is (a worker sent it, an organiser cancelled it): of two at once, one wins."""
    return bool(
        db.session.execute(
            sa.update(Message)
            .where(Message.id == reminder_id, Message.state == MessageState.SCHEDULED)
            .values(**values)
            .execution_options(synchronize_session=False)
        ).rowcount
    )


def _claim(reminder_id: int, now: datetime) -> bool:
    """Move one due reminder from scheduled to sent; False when another worker (or an
    organiser's cancellation) got there first."""
    return _if_scheduled(reminder_id, state=MessageState.SENT.value, sent_at=now)


def _due(now: datetime) -> sa.Select:
    return (
        sa.select(Message.id)
        .where(
            Message.is_reminder.is_(True),
            Message.state == MessageState.SCHEDULED,
            Message.send_at <= now,
        )
        .order_by(Message.send_at, Message.id)
        .limit(1)
        # On PostgreSQL a second worker passes over a reminder the first is sending.
        .with_for_update(skip_locked=True)
    )


def send_due_reminders(now: datetime | None = None) -> int:
    """Send every scheduled reminder whose moment has come, however long ago (the worker was
    down): each once, to its group as it is now, in a transaction of its own (committed here,
    as the mail worker's other work is). Returns how many reminders went out."""
    now = now or utcnow()
    sent = 0
    passed_over: set[int] = set()
    while True:
        reminder_id = db.session.scalar(_due(now).where(Message.id.not_in(passed_over)))
        if reminder_id is None:
            break
        if not _claim(reminder_id, now):
            db.session.rollback()
            passed_over.add(reminder_id)
            continue
        reminder = db.session.get(Message, reminder_id, populate_existing=True)
        count = deliver_to_group(reminder, now)
        log_action(
            "reminder.sent",
            reminder,
            actor=None,
            event_id=reminder.event_id,
            subject=reminder.subject,
            recipients=count,
        )
        db.session.commit()
        sent += 1
    return sent
