"""Email through a transactional outbox.

`queue` writes the message in the caller's transaction, so it exists exactly when the
change that causes it does. `send-mail` delivers what is due; a failed attempt is retried later
with exponential back-off, so a mail server that is down loses nothing.
"""

import smtplib
import sys
from dataclasses import dataclass
from datetime import datetime, timedelta
from email import message_from_bytes, policy
from email.charset import QP, Charset
from email.header import Header
from email.message import Message as MailMessage
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import formataddr, make_msgid, parseaddr
from typing import TextIO

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session

from conference.extensions import db
from conference.models import Event, Message, OutboxEmail, Registration, User, utcnow
from conference.services.mail.rendering import RenderedEmail

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


# --- the worker's claims ------------------------------------------------------------------------
#
# An email is due when it is neither sent nor given up, its next attempt's time has come, and no
# live claim holds it. A worker claims a batch (`claimed_at`, `claimed_by`) and commits before it
# sends; it records each outcome in a commit of its own, which also ends the claim. A claim older
# than MAIL_CLAIM_TIMEOUT belongs to a worker that died mid-send: the email is due again, and goes
# out with the Message-ID it was queued with, so a rare second delivery shows as the same message.


def is_due(now: datetime, claim_timeout: timedelta) -> sa.ColumnElement[bool]:
    return sa.and_(
        OutboxEmail.sent_at.is_(None),
        OutboxEmail.gave_up_at.is_(None),
        OutboxEmail.next_attempt_at <= now,
        sa.or_(OutboxEmail.claimed_at.is_(None), OutboxEmail.claimed_at < now - claim_timeout),
    )


def claim_due(
    worker: str, limit: int, claim_timeout: timedelta, now: datetime | None = None
) -> list[OutboxEmail]:
    """Claim up to `limit` due emails for `worker`, oldest first; the caller commits at once.

    On PostgreSQL the due rows are locked with SKIP LOCKED, so two workers claiming at the same
    moment take different emails and neither waits. The UPDATE asks again whether each email is
    still due, so a claim that another worker committed first is never taken over (on SQLite,
    which has no row locks, that check alone settles it).
    """
    now = now or utcnow()
    due = is_due(now, claim_timeout)
    candidates = db.session.scalars(
        sa.select(OutboxEmail.id)
        .where(due)
        .order_by(OutboxEmail.next_attempt_at, OutboxEmail.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    if not candidates:
        return []
    claimed = db.session.scalars(
        sa.update(OutboxEmail)
        .where(OutboxEmail.id.in_(candidates), due)
        .values(claimed_at=now, claimed_by=worker)
        .returning(OutboxEmail.id)
        .execution_options(synchronize_session=False)
    ).all()
    return list(
        db.session.scalars(
            sa.select(OutboxEmail)
            .where(OutboxEmail.id.in_(claimed))
            .order_by(OutboxEmail.next_attempt_at, OutboxEmail.id)
            .execution_options(populate_existing=True)
        )
    )


def release(email_ids: list[int], worker: str) -> int:
    """Give back the claims on emails `worker` did not send, so that the next run need not wait
    for them to lapse. Returns how many it gave back."""
    if not email_ids:
        return 0
    result = db.session.execute(
        sa.update(OutboxEmail)
        .where(
            OutboxEmail.id.in_(email_ids),
            OutboxEmail.claimed_by == worker,
            OutboxEmail.sent_at.is_(None),
        )
        .values(claimed_at=None, claimed_by=None)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


# --- one attempt and its outcome --------------------------------------------------------------


# Bodies in quoted-printable, readable as they travel; encoded words for headers beyond ASCII.
UTF8 = Charset("utf-8")
UTF8.body_encoding = QP


def as_message(email: OutboxEmail, sender: str) -> MIMEMultipart:
    """The email as it goes out: a text and an HTML part, and the Message-ID it was queued with.

    Built with the `email.mime` classes: the newer `EmailMessage` parses every header it is given,
    which took most of a worker's time per email (bench/mail.py).
    """
    message = MIMEMultipart("alternative")
    message["From"] = formataddr(parseaddr(sender), charset="utf-8")
    message["To"] = email.recipient
    message["Subject"] = Header(email.subject, "utf-8")
    message["Message-ID"] = email.message_id_header or make_msgid()
    message.attach(MIMEText(email.body_text, "plain", UTF8))
    message.attach(MIMEText(email.body_html, "html", UTF8))
    return message


@dataclass(frozen=True)
class Failure:
    """What a failed attempt says about the email: the mail server's answer, whether it concerns
    this email alone (the rest of the batch may still go) and whether trying again can help."""

    answer: str
    about_this_email: bool
    permanent: bool
    # The kind of failure alone ("SMTP 421", "ConnectionRefusedError"), for the worker's output:
    # a server's answer may name the recipient.
    kind: str


SERVER_CLOSING = 421  # "service not available, closing the channel": the server, not the email


def failure_of(error: Exception) -> Failure:
    """Read a failed attempt.

    A refused recipient (RCPT) or a refused message (DATA) concern this email alone. A 5xx answer
    to either is permanent ("550 5.1.1 mailbox unavailable" will not change in an hour): the
    worker gives up at once, and the organiser sees the answer and may send it again. A 4xx answer
    is tried again later. Anything else (no connection, the server refuses our sender or our log-in,
    it hangs up) concerns every email: the batch stops, and this one is tried again later.
    """
    if isinstance(error, smtplib.SMTPRecipientsRefused | smtplib.SMTPDataError):
        if isinstance(error, smtplib.SMTPRecipientsRefused):
            # One recipient per email: its answer, without the address the server was given.
            code, text = next(iter(error.recipients.values()), (0, b""))
        else:
            code, text = error.smtp_code, error.smtp_error
        about_this_email = code != SERVER_CLOSING
        permanent = about_this_email and code >= 500
        return Failure(_answer(code, text), about_this_email, permanent, f"SMTP {code}")
    if isinstance(error, smtplib.SMTPResponseException):
        code = error.smtp_code
        return Failure(_answer(code, error.smtp_error), False, False, f"SMTP {code}")
    kind = type(error).__name__
    answer = f"{kind}: {getattr(error, 'strerror', None) or error}"[:2000]
    return Failure(answer, False, False, kind)


def _answer(code: int, text: bytes | str) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    return f"{code} {' '.join(text.split())}".strip()[:2000]


def retry_delay(attempts: int) -> timedelta:
    """After 1, 2, 4 ... minutes, at most MAX_BACKOFF apart."""
    return min(timedelta(minutes=2 ** min(attempts - 1, 20)), MAX_BACKOFF)


def mark_sent(email_id: int, now: datetime | None = None) -> None:
    """The server took the email. Its claim stays beside `sent_at`: who sent it.

    One UPDATE, without loading the email again: a worker's time per email is mostly round trips
    to the database (bench/mail.py)."""
    db.session.execute(
        sa.update(OutboxEmail)
        .where(OutboxEmail.id == email_id)
        .values(attempts=OutboxEmail.attempts + 1, sent_at=now or utcnow(), last_error=None)
        .execution_options(synchronize_session=False)
    )


def mark_failed(
    email: OutboxEmail,
    failure: Failure,
    max_attempts: int,
    now: datetime | None = None,
) -> None:
    """Keep the email, with the server's answer, for a later attempt; or give up on it after
    `max_attempts` failures or a permanent refusal. Either way the claim ends."""
    now = now or utcnow()
    email.attempts += 1
    email.last_error = failure.answer
    email.claimed_at = email.claimed_by = None
    if failure.permanent or email.attempts >= max_attempts:
        email.gave_up_at = now
    else:
        email.next_attempt_at = now + retry_delay(email.attempts)


@dataclass(frozen=True)
class Outgoing:
    """A claimed email, ready to go: its id and the message built from it."""

    email_id: int
    message: MailMessage


def outgoing(emails: list[OutboxEmail], sender: str) -> list[Outgoing]:
    return [Outgoing(email.id, as_message(email, sender)) for email in emails]


def attempt(email: Outgoing, transport) -> Failure | None:
    """Hand one email to the transport; the failure if it did not take it."""
    try:
        transport.send(email.message)
    except (smtplib.SMTPException, OSError) as error:
        return failure_of(error)
    return None


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

    def send(self, message: MailMessage) -> None:
        reused = self._connection is not None
        try:
            self._send(message)
        except smtplib.SMTPServerDisconnected:
            if not reused:
                raise
            # The server closed a connection it had taken emails on (many close after so many
            # emails, or when idle): once more, on a new one. It hung up before taking this one.
            self._send(message)

    def _send(self, message: MailMessage) -> None:
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

    def send(self, message: MailMessage) -> None:
        message = message_from_bytes(message.as_bytes(), policy=policy.default)
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
