"""The outbox: mail is written with its change, and delivered to a real SMTP server later."""

from datetime import timedelta
from email import message_from_string, policy

import pytest
import sqlalchemy as sa

from conference.extensions import db
from conference.models import OutboxEmail, utcnow
from conference.services.mail import outbox
from conference.services.mail.sending import send_email
from tests.factories import make_user, register
from tests.mail_server import free_port


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
    assert "Sent 1 email(s), 0 failed." in result.output
    [mail] = mail_server.received
    assert mail.recipients == ["anna@police.example"]
    message = message_from_string(mail.data, policy=policy.default)
    assert registration.reference in message["Subject"]
    assert message.get_body(("plain",)).get_content().startswith("Dear ")
    assert "<p" in message.get_body(("html",)).get_content()
    [row] = outbox_rows()
    assert row.sent_at is not None and row.attempts == 1
    assert runner.invoke(args=["send-mail"]).output.strip() == "Sent 0 email(s), 0 failed."


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


def test_a_mail_server_that_is_down_loses_nothing(app, event, runner, mail_server):
    app.config.update(mail_server.settings(), MAIL_PORT=free_port())
    register(event, "anna@police.example")
    register(event, "ben@police.example")
    db.session.commit()

    result = runner.invoke(args=["send-mail"])

    assert result.exit_code == 1
    assert "will retry" in result.output
    first, second = outbox_rows()
    assert first.sent_at is None and first.attempts == 1 and first.last_error
    assert first.next_attempt_at > utcnow()
    assert second.attempts == 0, "after a connection failure the rest waits for the next run"

    app.config.update(mail_server.settings())
    assert runner.invoke(args=["send-mail"]).output.strip() == "Sent 1 email(s), 0 failed."
    # The next run after the back-off sends the one that failed.
    later = utcnow() + timedelta(minutes=5)
    transport = outbox.transport_from_config(app.config)
    for email in outbox.due_emails(later):
        outbox.deliver(email, transport, later)
        db.session.commit()
    transport.close()
    assert sorted(m.recipients[0] for m in mail_server.received) == [
        "anna@police.example",
        "ben@police.example",
    ]
    assert all(row.sent_at for row in outbox_rows())


def test_retries_back_off_exponentially_up_to_an_hour(app):
    email = send_email(
        "verify_email",
        to=make_user("a@x.example"),
        event=None,
        values={"link": "http://localhost/x", "hours": "48"},
    )
    now = utcnow()
    delays = []
    for _ in range(9):
        outbox.mark_failed(email, OSError("down"), now)
        delays.append(email.next_attempt_at - now)
    assert [d.total_seconds() / 60 for d in delays[:4]] == [1, 2, 4, 8]
    assert max(delays) == timedelta(hours=1)


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
