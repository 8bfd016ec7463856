"""The outbox: mail is written with its change, and delivered to a real SMTP server later."""

import asyncio
import os
import smtplib
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from email import message_from_string, policy

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from conference.extensions import db
from conference.models import DeliveryState, OutboxEmail, utcnow
from conference.services.mail import outbox, worker
from conference.services.mail.sending import send_email
from tests.client import assert_redirects
from tests.factories import PASSWORD, make_user, register
from tests.mail_server import MailHandler, free_port
from tests.web.test_invitations import registration_form


def outbox_rows() -> list[OutboxEmail]:
    return db.session.scalars(sa.select(OutboxEmail).order_by(OutboxEmail.id)).all()


def test_an_email_exists_exactly_when_its_change_does(event):
    register(event, "anna@police.example")
    db.session.rollback()
    assert outbox_rows() == []
    register(event, "anna@police.example")
    db.session.commit()
    assert len(outbox_rows()) == 1


def test_send_mail_delivers_over_smtp_and_marks_the_email_sent(app, event, runner, mail_server):
    app.config.update(mail_server.settings())
    registration = register(event, "anna@police.example")
    db.session.commit()

    result = runner.invoke(args=["send-mail"])

    assert result.exit_code == 0, result.output
    assert "Sent 1 email(s), 0 will retry, 0 gave up." in result.output
    [mail] = mail_server.received
    assert mail.recipients == ["anna@police.example"]
    message = message_from_string(mail.data, policy=policy.default)
    assert registration.reference in message["Subject"]
    assert message.get_body(("plain",)).get_content().startswith("Dear ")
    assert "<p" in message.get_body(("html",)).get_content()
    [row] = outbox_rows()
    assert row.sent_at is not None and row.attempts == 1
    assert runner.invoke(args=["send-mail"]).output.strip() == (
        "Sent 0 email(s), 0 will retry, 0 gave up."
    )


def reset_email_for(name: str):
    user = make_user("x@police.example", name=name)
    return send_email(
        "reset_password",
        to=user,
        event=None,
        values={"name": user.name, "link": "http://localhost/account/reset/abc", "minutes": "60"},
    )


def test_names_are_escaped_in_the_html_part_and_links_are_clickable(app):
    email = reset_email_for('<script>alert("x")</script>')
    assert "<script>" not in email.body_html
    assert "&lt;script&gt;" in email.body_html
    assert '<script>alert("x")</script>' in email.body_text
    assert '<a href="http://localhost/account/reset/abc"' in email.body_html


def test_the_console_backend_prints_the_email(app, event, runner):
    app.config["MAIL_BACKEND"] = "console"
    register(event, "anna@police.example")
    db.session.commit()
    result = runner.invoke(args=["send-mail"])
    assert "----- email to anna@police.example -----" in result.output
    assert "Sent 1 email(s)" in result.output


def test_an_unknown_mail_backend_is_a_clear_error(app):
    with pytest.raises(ValueError, match="MAIL_BACKEND"):
        outbox.transport_from_config({"MAIL_BACKEND": "pigeon"})


def test_only_links_to_our_own_site_are_clickable(app):
    email = reset_email_for("See https://evil.example/login now")
    assert '<a href="http://localhost/account/reset/abc"' in email.body_html
    assert 'href="https://evil.example' not in email.body_html
    assert "https://evil.example/login" in email.body_html  # shown, as text


# --- the worker: claims, retries, giving up ---------------------------------------------------


@dataclass
class RefusingHandler(MailHandler):
    """A mail server that answers RCPT for some recipients with a refusal of its choosing."""

    refusals: dict[str, str] = field(default_factory=dict)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address in self.refusals:
            return self.refusals[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"


@dataclass
class HangingUpHandler(MailHandler):
    """A mail server that closes the connection after each email it takes."""

    hung_up: int = 0

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        answer = await super().handle_DATA(server, session, envelope)
        asyncio.get_running_loop().call_soon(self.hang_up, server)
        return answer

    def hang_up(self, server) -> None:
        server.transport.close()
        self.hung_up += 1


@contextmanager
def smtp_server_on(port: int, handler: MailHandler) -> Iterator[None]:
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield
    finally:
        controller.stop()


def send_due(app, now=None, **kwargs) -> worker.RunReport:
    """One run of the worker, as `send-mail` does it."""
    transport = outbox.transport_from_config(app.config)
    try:
        return worker.run_once(transport, now, **kwargs)
    finally:
        transport.close()


def mail_settings(port: int) -> dict:
    return {
        "MAIL_BACKEND": "smtp",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": port,
        "MAIL_TIMEOUT": 5,
    }


def message_ids(handler: MailHandler) -> Counter:
    return Counter(
        message_from_string(mail.data, policy=policy.default)["Message-ID"]
        for mail in handler.received
    )


@pytest.fixture
def app_settings() -> dict:
    return {"LOGIN_RATE_LIMIT": "1000 per minute"}  # sign-ups and log-ins, all from one address


def sign_up_and_register_through_the_pages(client, auth) -> None:
    """Three people sign up (a verification email each); three verified delegates register (a
    "received" email each)."""
    for number in range(3):
        response = client.post(
            "/account/signup",
            data={
                "name": f"New Delegate {number}",
                "email": f"new{number}@politie.example",
                "password": PASSWORD,
            },
        )
        assert response.status_code == 200 and "Check your inbox" in response.text
    for number in range(3):
        email = f"delegate{number}@police.example"
        make_user(email, name=f"Delegate {number}")
        db.session.commit()
        auth.login(email)
        page = client.get("/vgt-2014/register").text
        response = client.post("/vgt-2014/register", data=registration_form(page))
        assert_redirects(response, to="/vgt-2014/registration")
        auth.logout()


def test_emails_queued_while_the_mail_server_is_down_are_each_delivered_once_when_it_is_back(
    app, client, auth, upcoming_event
):
    port = free_port()
    app.config.update(mail_settings(port))
    handler = MailHandler()
    with smtp_server_on(port, handler):  # it works, then it stops
        register(upcoming_event, "early@police.example")
        db.session.commit()
        assert send_due(app).sent == 1
    handler.received.clear()
    sign_up_and_register_through_the_pages(client, auth)
    queued = outbox_rows()[1:]
    assert len(queued) == 6

    down = send_due(app)

    assert (down.sent, down.will_retry, down.gave_up) == (0, 1, 0)
    assert down.stopped_by == "ConnectionRefusedError" and down.given_back == 5
    db.session.expire_all()
    first, *rest = outbox_rows()[1:]
    assert first.attempts == 1 and first.last_error == "ConnectionRefusedError: Connection refused"
    assert first.next_attempt_at > utcnow() and first.claimed_at is None
    assert all(row.attempts == 0 and row.claimed_at is None for row in rest), (
        "none waits for a claim"
    )
    assert all(row.sent_at is None and row.gave_up_at is None for row in outbox_rows()[1:])

    with smtp_server_on(port, handler):  # back, on the same port
        back = send_due(app, now=utcnow() + timedelta(minutes=2))  # past the first back-off
        again = send_due(app, now=utcnow() + timedelta(hours=2))

    assert (back.sent, back.failed, again.sent) == (6, 0, 0)
    db.session.expire_all()
    assert message_ids(handler) == Counter({row.message_id_header: 1 for row in queued})
    delivered = Counter(
        (mail.recipients[0], message_from_string(mail.data, policy=policy.default)["Subject"])
        for mail in handler.received
    )
    assert delivered == Counter({(row.recipient, row.subject): 1 for row in queued})
    assert all(row.sent_at and row.state == DeliveryState.SENT for row in outbox_rows())


def test_a_mailbox_refused_for_good_gives_up_at_once_with_the_servers_answer(app, event):
    handler = RefusingHandler(refusals={"ben@police.example": "550 5.1.1 mailbox unavailable"})
    port = free_port()
    app.config.update(mail_settings(port))
    register(event, "anna@police.example")
    register(event, "ben@police.example")
    register(event, "carla@police.example")
    db.session.commit()

    with smtp_server_on(port, handler):
        report = send_due(app)

    assert (report.sent, report.will_retry, report.gave_up, report.stopped_by) == (2, 0, 1, None)
    db.session.expire_all()
    refused = db.session.scalars(
        sa.select(OutboxEmail).where(OutboxEmail.recipient == "ben@police.example")
    ).one()
    assert refused.state == DeliveryState.FAILED and refused.gave_up_at is not None
    assert refused.last_error == "550 5.1.1 mailbox unavailable"
    assert refused.attempts == 1 and refused.claimed_at is None
    assert sorted(m.recipients[0] for m in handler.received) == [
        "anna@police.example",
        "carla@police.example",
    ], "the others in the batch went on"


def test_a_mailbox_refused_for_now_is_retried_with_growing_delays_then_given_up(app, event):
    handler = RefusingHandler(refusals={"anna@police.example": "451 4.2.0 mailbox busy, try later"})
    port = free_port()
    app.config.update(mail_settings(port), MAIL_MAX_ATTEMPTS=4)
    register(event, "anna@police.example")
    db.session.commit()

    now, delays = utcnow(), []
    with smtp_server_on(port, handler):
        for _ in range(4):
            report = send_due(app, now)
            db.session.expire_all()
            [email] = outbox_rows()
            delays.append(email.next_attempt_at - now)
            assert send_due(app, now).failed == 0, "not due again before its delay"
            now = email.next_attempt_at
    assert report.gave_up == 1
    assert [delay.total_seconds() / 60 for delay in delays[:3]] == [1, 2, 4]
    assert email.attempts == 4 and email.gave_up_at is not None
    assert email.last_error == "451 4.2.0 mailbox busy, try later"
    assert send_due(app, now + timedelta(days=1)).failed == 0, "a given-up email stays given up"
    assert handler.received == []


def test_retry_delays_double_up_to_an_hour(app):
    minutes = [outbox.retry_delay(attempts).total_seconds() / 60 for attempts in range(1, 12)]
    assert minutes == [1, 2, 4, 8, 16, 32, 60, 60, 60, 60, 60]
    assert outbox.retry_delay(500) == outbox.MAX_BACKOFF


def test_a_claimed_email_is_left_alone_until_the_claim_lapses_then_keeps_its_message_id(
    app, event, mail_server
):
    app.config.update(mail_server.settings())
    register(event, "anna@police.example")
    db.session.commit()
    timeout = timedelta(seconds=app.config["MAIL_CLAIM_TIMEOUT"])
    [claimed] = outbox.claim_due("elsewhere:4242", 10, timeout)  # a worker that then died
    db.session.commit()

    assert send_due(app).sent == 0
    assert send_due(app, utcnow() + timeout - timedelta(seconds=5)).sent == 0
    assert send_due(app, utcnow() + timeout + timedelta(seconds=1)).sent == 1

    db.session.expire_all()
    [email] = outbox_rows()
    assert email.state == DeliveryState.SENT
    assert email.claimed_by == worker.worker_name()
    assert message_ids(mail_server.handler) == Counter({claimed.message_id_header: 1})


def test_a_worker_names_its_claims_by_host_and_process(app, event):
    register(event, "anna@police.example")
    db.session.commit()
    [email] = outbox.claim_due(worker.worker_name(), 10, timedelta(minutes=5))
    assert email.claimed_by == f"{socket.gethostname()}:{os.getpid()}"
    assert email.state == DeliveryState.SENDING


def test_a_worker_asked_to_stop_gives_back_what_it_has_not_sent(app, event, mail_server):
    app.config.update(mail_server.settings())
    for name in ("anna", "ben", "carla"):
        register(event, f"{name}@police.example")
    db.session.commit()
    stopping = threading.Event()

    class StopAfterOne(outbox.SMTPTransport):
        def send(self, message):
            super().send(message)
            stopping.set()

    transport = StopAfterOne(app.config)
    try:
        report = worker.run_once(transport, stopping=stopping)
    finally:
        transport.close()

    assert (report.sent, report.given_back) == (1, 2)
    db.session.expire_all()
    assert [row.state for row in outbox_rows()] == [
        DeliveryState.SENT,
        DeliveryState.WAITING,
        DeliveryState.WAITING,
    ]
    assert send_due(app).sent == 2


def test_a_worker_claims_afresh_rather_than_hold_a_batch_past_half_the_claim_timeout(
    app, event, mail_server, monkeypatch
):
    app.config.update(mail_server.settings(), MAIL_BATCH_SIZE=3)
    for number in range(5):
        register(event, f"delegate{number}@police.example")
    db.session.commit()
    clock = iter(range(0, 10_000, 200))  # each look at the clock: 200 s later
    monkeypatch.setattr(worker, "monotonic", lambda: next(clock))  # timeout 300 s

    report = send_due(app)

    # Claims of 3, 3, 3, 2, 1: each sends its first email and gives back the rest.
    assert report.sent == 5 and report.given_back == 2 + 2 + 2 + 1
    assert message_ids(mail_server.handler).most_common(1)[0][1] == 1


def test_a_server_that_hangs_up_after_each_email_gets_each_on_a_new_connection(app, event):
    handler = HangingUpHandler()
    port = free_port()
    app.config.update(mail_settings(port))
    for name in ("anna", "ben", "carla"):
        register(event, f"{name}@police.example")
    db.session.commit()

    with smtp_server_on(port, handler):
        transport = outbox.transport_from_config(app.config)
        try:
            first = worker.run_once(transport)
            deadline = time.monotonic() + 10
            while handler.hung_up < 3 and time.monotonic() < deadline:
                time.sleep(0.01)  # until the server has hung up on the connection kept open
            register(event, "dirk@police.example")
            db.session.commit()
            second = worker.run_once(transport)
        finally:
            transport.close()

    assert (first.sent, first.failed, second.sent, second.failed) == (3, 0, 1, 0)
    assert sorted(mail.recipients[0] for mail in handler.received) == [
        f"{name}@police.example" for name in ("anna", "ben", "carla", "dirk")
    ]


@pytest.mark.parametrize(
    ("error", "answer", "about_this_email", "permanent", "kind"),
    [
        (
            smtplib.SMTPRecipientsRefused({"a@x.example": (550, b"5.1.1 mailbox unavailable")}),
            "550 5.1.1 mailbox unavailable",
            True,
            True,
            "SMTP 550",
        ),
        (
            smtplib.SMTPRecipientsRefused({"a@x.example": (451, b"4.2.0 busy")}),
            "451 4.2.0 busy",
            True,
            False,
            "SMTP 451",
        ),
        (
            smtplib.SMTPRecipientsRefused({"a@x.example": (421, b"4.7.0 <a@x.example> later")}),
            "421 4.7.0 <a@x.example> later",
            False,
            False,
            "SMTP 421",
        ),
        (smtplib.SMTPDataError(554, b"5.7.1 refused"), "554 5.7.1 refused", True, True, "SMTP 554"),
        (
            smtplib.SMTPSenderRefused(553, b"5.7.1 not ours", "conference@localhost"),
            "553 5.7.1 not ours",
            False,
            False,
            "SMTP 553",
        ),
        (
            ConnectionRefusedError(111, "Connection refused"),
            "ConnectionRefusedError: Connection refused",
            False,
            False,
            "ConnectionRefusedError",
        ),
        (
            smtplib.SMTPServerDisconnected("Connection unexpectedly closed"),
            "SMTPServerDisconnected: Connection unexpectedly closed",
            False,
            False,
            "SMTPServerDisconnected",
        ),
    ],
)
def test_the_worker_reads_the_mail_servers_answer(error, answer, about_this_email, permanent, kind):
    assert outbox.failure_of(error) == outbox.Failure(answer, about_this_email, permanent, kind)
