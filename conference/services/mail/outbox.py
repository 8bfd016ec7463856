"""Email through a transactional outbox.

`queue` writes the message in the caller's transaction, so it exists exactly when the
change that causes it does. `send-mail` delivers what is due; a failed attempt is retried later
with exponential back-off, so a mail server that is down loses nothing.
"""

import smtplib
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any, TextIO

import sqlalchemy as sa
from flask import current_app, render_template
from sqlalchemy.orm import Session

from conference.extensions import db
from conference.models import Event, Message, OutboxEmail, Registration, User, utcnow
from conference.services.mail.rendering import RenderedEmail, render_email

MAX_BACKOFF = timedelta(hours=1)


def queue(
    recipient: str,
    email: RenderedEmail,
    *,
    kind: str,
    event: Event | None = None,
    user: User | None = None,
    registration: Registration | None = None,
    message: Message | None = None,
    into: Session | None = None,
) -> OutboxEmail:
    """Put one rendered email in the outbox, in the caller's transaction (or in the session
    `into`, for one that outlives it), with the Message-ID it keeps on every attempt."""
    sender = current_app.config["MAIL_DEFAULT_SENDER"]
    row = OutboxEmail(
        recipient=recipient,
        subject=email.subject,
        body_text=email.text,
        body_html=email.html,
        kind=kind,
        event_id=event.id if event else None,
        user_id=user.id if user else None,
        registration_id=registration.id if registration else None,
        message_id=message.id if message else None,
        message_id_header=make_msgid(domain=sender.rpartition("@")[2].rstrip(">") or None),
        attempts=0,
        next_attempt_at=utcnow(),
    )
    (into or db.session).add(row)
    return row


def queue_email(
    recipient: str, template: str, *, into: Session | None = None, **context: Any
) -> OutboxEmail:
    """Render `templates/emails/<template>.txt` (first line `Subject: ...`) into the outbox.

    Only the organiser's group message (`organiser_message`) still comes from such a file;
    every other email comes from the catalogue through `sending.send_email`. Goes once the
    messages to groups do too.
    """
    rendered = render_template(f"emails/{template}.txt", **context)
    first_line, _, body = rendered.lstrip().partition("\n")
    if not first_line.startswith("Subject:"):
        raise ValueError(f"emails/{template}.txt must start with a Subject: line")
    subject = first_line.removeprefix("Subject:").strip()
    return queue(recipient, render_email(subject, body, {}), kind=template, into=into)


def due_emails(now: datetime | None = None) -> Iterator[OutboxEmail]:
    """Yield unsent emails whose time has come, one at a time, each locked against other senders.

    The caller commits after each one (which marks it sent or puts it off), so the same email is
    never yielded twice; on PostgreSQL, SKIP LOCKED lets several senders share the outbox.
    """
    now = now or utcnow()
    query = (
        sa.select(OutboxEmail)
        .where(OutboxEmail.sent_at.is_(None), OutboxEmail.next_attempt_at <= now)
        .order_by(OutboxEmail.next_attempt_at, OutboxEmail.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    while (email := db.session.scalars(query).first()) is not None:
        yield email


def as_message(email: OutboxEmail, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = email.recipient
    message["Subject"] = email.subject
    message["Message-ID"] = email.message_id_header or make_msgid()
    message.set_content(email.body_text)
    message.add_alternative(email.body_html, subtype="html")
    return message


def mark_sent(email: OutboxEmail, now: datetime | None = None) -> None:
    email.attempts += 1
    email.sent_at = now or utcnow()
    email.last_error = None


def mark_failed(email: OutboxEmail, error: Exception, now: datetime | None = None) -> None:
    """Keep the email and try again later: after 1, 2, 4 ... minutes, at most an hour apart."""
    now = now or utcnow()
    email.attempts += 1
    email.last_error = f"{type(error).__name__}: {error}"[:2000]
    email.next_attempt_at = now + min(timedelta(minutes=2 ** (email.attempts - 1)), MAX_BACKOFF)


class SMTPTransport:
    """Delivers over one SMTP connection, opened on the first message and reused."""

    def __init__(self, config):
        self.config = config
        self._connection: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        cls = smtplib.SMTP_SSL if self.config["MAIL_USE_SSL"] else smtplib.SMTP
        connection = cls(
            self.config["MAIL_SERVER"],
            self.config["MAIL_PORT"],
            timeout=self.config["MAIL_TIMEOUT"],
        )
        if self.config["MAIL_USE_TLS"]:
            connection.starttls()
        if self.config["MAIL_USERNAME"]:
            connection.login(self.config["MAIL_USERNAME"], self.config["MAIL_PASSWORD"] or "")
        return connection

    def send(self, message: EmailMessage) -> None:
        if self._connection is None:
            self._connection = self._connect()
        try:
            self._connection.send_message(message)
        except (smtplib.SMTPServerDisconnected, OSError):
            self.close()
            raise

    def close(self) -> None:
        if self._connection is not None:
            try:
                self._connection.quit()
            except (smtplib.SMTPException, OSError):
                self._connection.close()
            self._connection = None


class ConsoleTransport:
    """Development: print each email instead of sending it."""

    def __init__(self, stream: TextIO | None = None):
        self.stream = stream or sys.stdout

    def send(self, message: EmailMessage) -> None:
        text = message.get_body(("plain",)).get_content()
        self.stream.write(
            f"----- email to {message['To']} -----\nSubject: {message['Subject']}\n\n{text}\n"
        )
        self.stream.flush()

    def close(self) -> None:
        pass


def transport_from_config(config) -> SMTPTransport | ConsoleTransport:
    backend = config["MAIL_BACKEND"]
    if backend == "smtp":
        return SMTPTransport(config)
    if backend == "console":
        return ConsoleTransport()
    raise ValueError(f"unknown MAIL_BACKEND {backend!r}: use smtp or console")


def deliver(email: OutboxEmail, transport, now: datetime | None = None) -> bool:
    """Send one email and mark it sent, or failed for a later attempt.

    Returns False after a failure that is not about this one recipient (the server is down or
    refuses us): the rest can wait for the next run.
    """
    try:
        transport.send(as_message(email, current_app.config["MAIL_DEFAULT_SENDER"]))
    except (smtplib.SMTPException, OSError) as error:
        mark_failed(email, error, now)
        return isinstance(error, smtplib.SMTPRecipientsRefused)
    mark_sent(email, now)
    return True
