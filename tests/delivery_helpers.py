"""Emails in the outbox in each state of their delivery, for the tests of the Deliveries page:
queued as the app queues them, then set as the worker leaves them."""

from datetime import datetime, timedelta

from conference.models import DeliveryState, Event, OutboxEmail, utcnow
from conference.services.mail import outbox
from conference.services.mail.rendering import render_email

# What a mail server says when it will not take an address.
REFUSED = "SMTPRecipientsRefused: {'anna@garda.example': (550, b'5.1.1 Mailbox unavailable')}"


def queued(
    event: Event | None,
    recipient: str,
    *,
    state: DeliveryState = DeliveryState.WAITING,
    kind: str = "registration_approved",
    subject: str = "VGT 2014: your registration is approved",
    body: str = "Dear delegate,\n\nYour place at the conference is confirmed.",
    at: datetime | None = None,
    **about,
) -> OutboxEmail:
    """One email of `event` to `recipient`, queued `at` (now), left by the worker in `state`."""
    email = outbox.queue(
        recipient, render_email(subject, body, {}), kind=kind, event=event, **about
    )
    now = utcnow()
    email.created_at = at or now
    if state == DeliveryState.SENT:
        email.attempts, email.sent_at = 1, now
    elif state == DeliveryState.SENDING:
        email.claimed_at, email.claimed_by = now, "worker-on-mailhost-1"
    elif state == DeliveryState.FAILED:
        # Given up after five attempts; its next attempt, had there been one, far ahead, so
        # that no worker takes it again unless an organiser sends it again.
        email.attempts, email.gave_up_at, email.last_error = 5, now, REFUSED
        email.next_attempt_at = now + timedelta(days=365)
    return email
