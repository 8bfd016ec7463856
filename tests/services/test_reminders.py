"""Reminders: scheduled for a moment before the event, changed or cancelled until then, and
sent once by the mail worker when due, also when it was down at that moment."""

from datetime import UTC, date, datetime, time, timedelta

import pytest

from conference.extensions import db
from conference.models import MessageState
from conference.services.errors import InvalidEmailText, InvalidTransition
from conference.services.mail import reminders
from conference.services.mail.reminders import InvalidMoment, When
from conference.services.registration.listing import RegistrationFilter
from tests.environment import audited
from tests.factories import make_event, make_organiser
from tests.message_helpers import copies_of, delegates, emails_of

# A month before the conference of 5 and 6 November 2014.
OCTOBER = datetime(2014, 10, 5, 12, 0, tzinfo=UTC)
SEVEN_DAYS_BEFORE = When(at=time(9, 0), days_before=7)
WITHOUT_A_WORKSHOP = RegistrationFilter(status="approved", workshop_chosen=False)


@pytest.fixture
def world(app):
    event = make_event()
    organiser = make_organiser(event)
    people = delegates(event, organiser)
    db.session.commit()
    return event, organiser, people


def schedule(event, organiser, when=SEVEN_DAYS_BEFORE, filters=WITHOUT_A_WORKSHOP, **words):
    reminder = reminders.schedule_reminder(
        event,
        subject=words.get("subject", "{event_short}: choose your workshop"),
        body=words.get("body", "Dear {name},\n\nThe workshops fill up: {registration_link}"),
        filters=filters,
        when=when,
        actor=organiser,
        now=OCTOBER,
    )
    db.session.commit()
    return reminder


def test_a_reminder_seven_days_before_is_due_at_nine_in_amsterdam(world):
    event, organiser, _ = world
    reminder = schedule(event, organiser)
    assert reminder.is_reminder and reminder.state == MessageState.SCHEDULED
    # 29 October, after the clocks went back: 09:00 CET is 08:00 UTC.
    assert reminder.send_at == datetime(2014, 10, 29, 8, 0, tzinfo=UTC)
    assert reminder.days_before == 7
    assert reminder.audience == {"status": "approved", "workshop_chosen": "no"}
    assert reminders.due_in_words(reminder.send_at, OCTOBER + timedelta(days=21)) == "in 3 days"
    assert audited("reminder.scheduled")[0].object_id == reminder.id


def test_a_reminder_on_an_exact_date_keeps_no_days_before(world):
    event, organiser, _ = world
    reminder = schedule(event, organiser, When(at=time(18, 30), on=date(2014, 11, 4)))
    assert reminder.send_at == datetime(2014, 11, 4, 17, 30, tzinfo=UTC)
    assert reminder.days_before is None


def test_a_new_reminder_starts_from_the_events_reminder_words(world):
    event, _, _ = world
    subject, body = reminders.default_words(event)
    assert subject and "{" in subject + body  # the catalogue's reminder, with placeholders


def test_a_moment_that_has_passed_is_refused(world):
    event, organiser, _ = world
    with pytest.raises(InvalidMoment, match="has passed"):
        schedule(event, organiser, When(at=time(9, 0), days_before=60))


def test_an_unknown_placeholder_in_a_reminder_is_refused(world):
    event, organiser, _ = world
    with pytest.raises(InvalidEmailText, match=r"\{hotel\}"):
        schedule(event, organiser, body="Your hotel: {hotel}")


def test_a_reminder_can_be_changed_before_it_is_due(world):
    event, organiser, _ = world
    reminder = schedule(event, organiser)
    reminders.change_reminder(
        reminder,
        subject="Last call: workshops",
        body="Dear {name}, choose now.",
        filters=RegistrationFilter(status="approved"),
        when=When(at=time(10, 0), days_before=3),
        actor=organiser,
        now=OCTOBER,
    )
    db.session.commit()
    assert reminder.subject == "Last call: workshops"
    assert reminder.send_at == datetime(2014, 11, 2, 9, 0, tzinfo=UTC)
    assert reminder.days_before == 3 and reminder.audience == {"status": "approved"}
    assert len(audited("reminder.changed")) == 1


def test_a_cancelled_reminder_is_never_sent_and_stays_cancelled(world):
    event, organiser, _ = world
    reminder = schedule(event, organiser)
    reminders.cancel_reminder(reminder, actor=organiser)
    db.session.commit()
    assert reminder.state == MessageState.CANCELLED
    assert reminders.send_due_reminders(now=datetime(2014, 11, 1, tzinfo=UTC)) == 0
    assert emails_of("message") == []
    with pytest.raises(InvalidTransition, match="cancelled"):
        reminders.cancel_reminder(reminder, actor=organiser)


def test_a_reminder_sent_meanwhile_can_no_longer_change(world):
    event, organiser, _ = world
    reminder = schedule(event, organiser)
    assert reminders.send_due_reminders(now=datetime(2014, 10, 29, 8, 1, tzinfo=UTC)) == 1
    with pytest.raises(InvalidTransition, match="sent meanwhile"):
        reminders.change_reminder(
            reminder,
            subject="Too late",
            body="Dear {name}",
            filters=WITHOUT_A_WORKSHOP,
            when=SEVEN_DAYS_BEFORE,
            actor=organiser,
            now=OCTOBER,
        )
    db.session.rollback()
    assert reminder.subject == "{event_short}: choose your workshop"
    with pytest.raises(InvalidTransition, match="sent meanwhile"):
        reminders.cancel_reminder(reminder, actor=organiser)


def test_a_reminder_is_not_sent_before_its_moment(world):
    event, organiser, _ = world
    schedule(event, organiser)
    assert reminders.send_due_reminders(now=datetime(2014, 10, 29, 7, 59, tzinfo=UTC)) == 0
    assert emails_of("message") == []


def test_a_reminder_due_while_the_worker_was_down_goes_out_once_on_its_next_run(world):
    event, organiser, people = world
    reminder = schedule(event, organiser)
    # Meanwhile Carla is approved: the group is read when the reminder goes out.
    people.carla.status = "approved"
    db.session.commit()
    back_up = datetime(2014, 11, 3, 6, 0, tzinfo=UTC)  # five days late
    assert reminders.send_due_reminders(now=back_up) == 1
    assert reminders.send_due_reminders(now=back_up + timedelta(minutes=1)) == 0
    db.session.expire_all()
    assert reminder.state == MessageState.SENT and reminder.sent_at == back_up
    copies = copies_of(reminder)
    names = sorted(copy.body_text.split(",")[0] for copy in copies)
    assert names == ["Dear Anna Peeters", "Dear Carla Jones", "Dear Dirk Janssens"]
    assert reminder.recipient_count == 3 and len(emails_of("message")) == 3
    assert "VGT 2014: choose your workshop" in {copy.subject for copy in copies}
    [entry] = audited("reminder.sent")
    assert entry.actor_id is None and entry.details["recipients"] == 3


def test_several_due_reminders_go_out_in_one_run_in_their_order(world):
    event, organiser, _ = world
    later = schedule(event, organiser, When(at=time(9, 0), days_before=2), subject="Second")
    sooner = schedule(event, organiser, subject="First")
    assert reminders.send_due_reminders(now=datetime(2014, 11, 10, tzinfo=UTC)) == 2
    assert sooner.sent_at == later.sent_at
    assert [e.object_id for e in audited("reminder.sent")] == [sooner.id, later.id]
