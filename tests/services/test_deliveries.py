"""The organisers' view of the outbox: each email's state as the worker left it, the list's
filters, and sending again what the worker gave up on, once."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from conference.extensions import db
from conference.models import DeliveryState, OutboxEmail, utcnow
from conference.services.errors import AlreadyDone, InvalidTransition
from conference.services.mail import deliveries
from conference.services.mail.deliveries import DeliveryFilter
from tests.delivery_helpers import REFUSED, queued
from tests.environment import audited
from tests.factories import make_event, make_user, register

State = DeliveryState


def listed(event, **narrow) -> list[str]:
    return [
        e.recipient
        for e in db.session.scalars(deliveries.deliveries_query(event, DeliveryFilter(**narrow)))
    ]


@pytest.fixture
def one_of_each(event):
    """An email in each state, the newest last."""
    start = utcnow() - timedelta(hours=4)
    emails = {
        state: queued(
            event, f"{state.value}@police.example", state=state, at=start + timedelta(hours=n)
        )
        for n, state in enumerate(State)
    }
    db.session.commit()
    return emails


def test_each_email_is_in_the_state_the_worker_left_it_and_counted_so(event, one_of_each):
    assert {state: email.state for state, email in one_of_each.items()} == {s: s for s in State}
    assert deliveries.state_counts(event) == {state: 1 for state in State}
    for state in State:
        assert listed(event, state=state) == [f"{state.value}@police.example"]
    assert deliveries.failed_count(event) == 1


def test_the_list_is_newest_first_and_holds_only_the_events_emails(event, one_of_each):
    other = make_event(slug="icac-2015")
    queued(other, "elsewhere@police.example", state=State.FAILED)
    queued(None, "no-event@police.example")  # a password reset for an unknown address, say
    db.session.commit()
    assert listed(event) == [f"{s.value}@police.example" for s in reversed(State)]
    assert deliveries.failed_count(event) == 1
    assert deliveries.email_of(event, one_of_each[State.SENT].id) is not None
    elsewhere = db.session.scalar(sa.select(OutboxEmail).where(OutboxEmail.event_id == other.id))
    assert deliveries.email_of(event, elsewhere.id) is None


def test_the_search_finds_an_address_or_the_name_of_the_account_it_went_to(event):
    anna = make_user("anna@garda.example", name="Anna Byrne")
    queued(event, "anna@garda.example", user=anna)
    queued(event, "a.byrne@garda.example", user=anna)  # her earlier address
    queued(event, "kim@police.example", state=State.FAILED)
    db.session.commit()
    assert sorted(listed(event, recipient="byrne")) == [
        "a.byrne@garda.example",
        "anna@garda.example",
    ]
    assert listed(event, recipient="KIM@") == ["kim@police.example"]
    assert listed(event, recipient="100%") == []  # typed text, never a pattern
    assert deliveries.state_counts(event, "anna")[State.WAITING] == 2  # both, by her name
    kim = deliveries.state_counts(event, "kim")
    assert (kim[State.FAILED], kim[State.WAITING]) == (1, 0)
    assert deliveries.names_of(db.session.scalars(sa.select(OutboxEmail)).all()) == {
        anna.id: "Anna Byrne"
    }


def test_each_email_is_called_by_its_kind_or_else_its_subject(event):
    assert deliveries.what_email(queued(event, "a@x.example", kind="reminder")) == "Reminder"
    assert deliveries.what_email(queued(event, "b@x.example", kind="message")) == "Message"
    assert (
        deliveries.what_email(queued(event, "c@x.example", kind="message_test")) == "Message (test)"
    )
    old = queued(event, "d@x.example", kind="from_before_the_catalogue", subject="Welcome")
    assert deliveries.what_email(old) == "Welcome"


def test_sending_again_puts_a_failed_email_back_for_the_worker_and_is_audited(
    event, organiser, one_of_each
):
    failed = one_of_each[State.FAILED]
    header = failed.message_id_header
    before = utcnow()
    deliveries.send_again(failed, actor=organiser)
    db.session.commit()
    email = db.session.get(OutboxEmail, failed.id)
    assert email.state == State.WAITING
    assert (email.gave_up_at, email.attempts, email.claimed_at, email.claimed_by) == (
        None,
        0,
        None,
        None,
    )
    assert email.next_attempt_at.replace(tzinfo=None) >= before.replace(tzinfo=None)
    assert email.last_error == REFUSED  # kept until the next attempt says otherwise
    assert email.message_id_header == header  # the same message, sent again
    [entry] = audited("email.sent_again")
    assert (entry.object_type, entry.object_id, entry.actor_id) == (
        "outboxemail",
        email.id,
        organiser.id,
    )
    assert entry.details["recipient"] == "failed@police.example"


@pytest.mark.parametrize("state", [State.SENT, State.WAITING, State.SENDING])
def test_only_a_failed_email_is_sent_again(event, organiser, one_of_each, state):
    email = one_of_each[state]
    kept = (email.sent_at, email.attempts, email.claimed_at, email.next_attempt_at)
    refusal = InvalidTransition if state == State.SENT else AlreadyDone
    with pytest.raises(refusal, match=email.recipient):
        deliveries.send_again(email, actor=organiser)
    db.session.rollback()
    email = db.session.get(OutboxEmail, email.id)
    assert (email.sent_at, email.attempts, email.claimed_at, email.next_attempt_at) == kept
    assert audited("email.sent_again") == []


def test_an_email_delivered_meanwhile_says_so(event, organiser, one_of_each):
    email = one_of_each[State.FAILED]
    # The worker delivered it after the organiser's page was drawn (an old claim finished).
    db.session.execute(
        sa.update(OutboxEmail).where(OutboxEmail.id == email.id).values(sent_at=utcnow())
    )
    with pytest.raises(InvalidTransition, match="was delivered meanwhile"):
        deliveries.send_again(email, actor=organiser)


def test_sending_the_same_email_again_twice_sends_it_once(event, organiser, one_of_each):
    email = one_of_each[State.FAILED]
    deliveries.send_again(email, actor=organiser)
    db.session.commit()
    with pytest.raises(AlreadyDone, match="on its way"):
        deliveries.send_again(email, actor=organiser)
    assert len(audited("email.sent_again")) == 1


def test_all_failed_again_takes_the_searched_failed_ones_in_one_audited_step(event, organiser):
    for address in ("anna@garda.example", "aoife@garda.example", "kim@police.example"):
        queued(event, address, state=State.FAILED)
    queued(event, "sent@garda.example", state=State.SENT)
    queued(make_event(slug="icac-2015"), "other@garda.example", state=State.FAILED)
    db.session.commit()

    assert (
        deliveries.send_all_failed_again(event, DeliveryFilter(recipient="garda"), actor=organiser)
        == 2
    )
    db.session.commit()
    assert sorted(listed(event, state=State.FAILED)) == ["kim@police.example"]
    assert deliveries.failed_count(event) == 1
    [entry] = audited("email.sent_all_again")
    assert entry.details == {"emails": 2, "q": "garda"}
    other = db.session.scalar(
        sa.select(OutboxEmail).where(OutboxEmail.recipient == "other@garda.example")
    )
    assert other.state == State.FAILED

    assert deliveries.send_all_failed_again(event, DeliveryFilter(), actor=organiser) == 1
    db.session.commit()
    with pytest.raises(AlreadyDone, match="nothing to send again"):  # the form sent twice
        deliveries.send_all_failed_again(event, DeliveryFilter(), actor=organiser)
    assert len(audited("email.sent_all_again")) == 2


def test_the_worker_delivers_an_email_sent_again(app, event, organiser, runner, mail_server):
    app.config.update(mail_server.settings())
    email = queued(event, "anna@garda.example", state=State.FAILED, subject="VGT 2014: approved")
    db.session.commit()
    runner.invoke(args=["send-mail"])
    assert mail_server.messages_to("anna@garda.example") == []  # given up: no worker takes it

    deliveries.send_again(email, actor=organiser)
    db.session.commit()
    result = runner.invoke(args=["send-mail"])
    assert result.exit_code == 0, result.output
    [message] = mail_server.messages_to("anna@garda.example")
    assert message["Subject"] == "VGT 2014: approved"
    assert message["Message-ID"] == email.message_id_header
    db.session.expire_all()
    email = db.session.get(OutboxEmail, email.id)
    assert email.state == State.SENT and email.last_error is None


def test_a_registrations_emails_are_those_about_it_and_those_to_its_delegate_for_the_event(event):
    registration = register(event, "anna@garda.example")
    user = registration.user
    about = queued(event, user.email, registration=registration, subject="About the registration")
    account = queued(event, user.email, user=user, kind="reset_password", subject="Reset")
    queued(make_event(slug="icac-2015"), user.email, user=user, subject="Another event's")
    queued(event, "someone@else.example", subject="To someone else")
    db.session.commit()
    subjects = [e.subject for e in deliveries.emails_to(registration)]
    assert "About the registration" in subjects and "Reset" in subjects
    assert "Another event's" not in subjects and "To someone else" not in subjects
    assert subjects.index("Reset") < subjects.index("About the registration")  # newest first
    assert deliveries.body_may_be_shown(about) and not deliveries.body_may_be_shown(account)
