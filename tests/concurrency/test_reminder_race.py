"""Two mail workers sending the due reminders at the same moment: each reminder goes out once,
one set of copies, however the two interleave.

Both workers are held at the step between finding a reminder due and claiming it (a barrier
with a timeout: a worker that found nothing does not come), so that both have read it before
either claims it. Two guards stand in the way, and each is tested alone: on PostgreSQL the
first worker's `FOR UPDATE SKIP LOCKED` hides the reminder from the second; and the claim's
conditional UPDATE (`WHERE state = 'scheduled'`) lets only one of two that both read it win.
The control takes both guards away and shows that the test then finds a reminder sent twice.
"""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, time

import pytest
import sqlalchemy as sa

from conference.extensions import db
from conference.models import Message, MessageState
from conference.services.mail import reminders
from conference.services.mail.reminders import When
from conference.services.registration.listing import RegistrationFilter
from tests.environment import audited, on_postgres
from tests.factories import make_event, make_organiser
from tests.message_helpers import copies_of, delegates, emails_of

WORKERS = 2
REMINDERS = 3
WINDOW = 1.0  # seconds a worker waits for the other at the claim
TIMEOUT = 30
LATE = datetime(2014, 11, 4, 12, 0, tzinfo=UTC)  # every reminder is due, some long ago

postgres_only = pytest.mark.skipif(
    not on_postgres(), reason="SKIP LOCKED and concurrent claims need PostgreSQL"
)


@pytest.fixture
def due(app) -> list[Message]:
    event = make_event()
    organiser = make_organiser(event)
    delegates(event, organiser)
    made = [
        reminders.schedule_reminder(
            event,
            subject=f"Reminder {n}",
            body="Dear {name}, see you in Amsterdam.",
            filters=RegistrationFilter(status="approved"),
            when=When(at=time(9, 0), days_before=7 - n),
            actor=organiser,
            now=datetime(2014, 10, 1, tzinfo=UTC),
        )
        for n in range(REMINDERS)
    ]
    db.session.commit()
    return made


def hold_claims_open(monkeypatch, claim) -> None:
    """Each worker waits at its claim until the other arrives too, or WINDOW has passed (the
    other found nothing due), then claims with `claim`."""
    barrier = threading.Barrier(WORKERS)

    def held(reminder_id, now):
        try:
            barrier.wait(WINDOW)
        except threading.BrokenBarrierError:
            barrier.reset()
        return claim(reminder_id, now)

    monkeypatch.setattr(reminders, "_claim", held)


@pytest.fixture
def claims_held_open(monkeypatch):
    hold_claims_open(monkeypatch, reminders._claim)


def workers_at_once(app) -> list[int]:
    start = threading.Barrier(WORKERS)

    def worker() -> int:
        with app.app_context():
            start.wait(TIMEOUT)
            try:
                return reminders.send_due_reminders(now=LATE)
            finally:
                db.session.remove()

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        runs = [pool.submit(worker) for _ in range(WORKERS)]
        return [run.result(timeout=TIMEOUT) for run in runs]


def copies_per_reminder(made: list[Message]) -> list[int]:
    db.session.expire_all()
    return [len(copies_of(reminder)) for reminder in made]


@postgres_only
def test_two_workers_at_once_send_each_due_reminder_once(app, due, claims_held_open):
    sent = workers_at_once(app)
    assert sum(sent) == REMINDERS
    assert copies_per_reminder(due) == [3] * REMINDERS  # the approved: Anna, Bram, Dirk
    assert len(emails_of("message")) == 3 * REMINDERS
    assert len(audited("reminder.sent")) == REMINDERS
    assert all(reminder.state == MessageState.SENT for reminder in due)


def without_skip_locked(now):
    return (
        sa.select(Message.id)
        .where(
            Message.is_reminder.is_(True),
            Message.state == MessageState.SCHEDULED,
            Message.send_at <= now,
        )
        .order_by(Message.send_at, Message.id)
        .limit(1)
    )


@postgres_only
def test_the_conditional_claim_alone_lets_one_of_two_workers_send_a_reminder(
    app, due, claims_held_open, monkeypatch
):
    # Both workers now read the same due reminder; only the claim's WHERE stands between them.
    monkeypatch.setattr(reminders, "_due", without_skip_locked)
    sent = workers_at_once(app)
    assert sum(sent) == REMINDERS
    assert copies_per_reminder(due) == [3] * REMINDERS


@postgres_only
def test_control_without_either_guard_a_reminder_goes_out_twice(
    app, due, claims_held_open, monkeypatch
):
    monkeypatch.setattr(reminders, "_due", without_skip_locked)

    def unguarded_claim(reminder_id, now):
        db.session.execute(sa.update(Message).where(Message.id == reminder_id).values(sent_at=now))
        return True

    # The held claim wraps whatever _claim is when it is called: wrap the unguarded one.
    barrier = threading.Barrier(WORKERS)

    def held(reminder_id, now):
        try:
            barrier.wait(WINDOW)
        except threading.BrokenBarrierError:
            barrier.reset()
        return unguarded_claim(reminder_id, now)

    monkeypatch.setattr(reminders, "_claim", held)
    workers_at_once(app)
    assert max(copies_per_reminder(due)) > 3  # the test sees the race when nothing stops it
