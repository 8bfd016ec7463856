"""The transactional outbox: emails written with the change that causes them, sent later."""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from conference.models.base import Base, utcnow


class DeliveryState(enum.StrEnum):
    """Where one email is on its way, in the words an organiser reads beside it."""

    WAITING = "waiting"  # not tried yet, or tried and waiting for its next attempt
    SENDING = "sending"  # claimed by a worker that is sending it now
    SENT = "sent"
    FAILED = "failed"  # the worker gave up after MAIL_MAX_ATTEMPTS; an organiser may resend

    @property
    def label(self) -> str:
        return self.value.capitalize()


class OutboxEmail(Base):
    __tablename__ = "outbox_email"
    __table_args__ = (
        sa.Index("ix_outbox_email_due", "sent_at", "next_attempt_at"),
        sa.Index("ix_outbox_email_user_id", "user_id"),
        sa.Index("ix_outbox_email_message_id", "message_id"),
        sa.Index("ix_outbox_email_event_id", "event_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(sa.String(254))
    subject: Mapped[str] = mapped_column(sa.String(300))
    body_text: Mapped[str] = mapped_column(sa.Text)
    body_html: Mapped[str] = mapped_column(sa.Text)
    # Which email this is: a key of the email catalogue ("registration_approved"), or "message"
    # for an organiser's message to a group.
    kind: Mapped[str] = mapped_column(sa.String(60), default="")
    # Who and what it is about, for the organisers' delivery lists; empty for an address with no
    # account (a reset asked for an unknown address) and for mail that belongs to no event.
    event_id: Mapped[int | None] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE")
    )
    registration_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("registration.id", ondelete="SET NULL")
    )
    message_id: Mapped[int | None] = mapped_column(sa.ForeignKey("message.id", ondelete="CASCADE"))
    # The Message-ID header, fixed when the email is queued: a second delivery after a worker
    # died mid-send carries the same one, so mail clients and people see it is the same message.
    message_id_header: Mapped[str] = mapped_column(sa.String(255), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    # A worker's claim: set (with who) before it sends, so no other worker takes the email; a
    # claim older than MAIL_CLAIM_TIMEOUT belongs to a worker that died, and lapses.
    claimed_at: Mapped[datetime | None]
    claimed_by: Mapped[str | None] = mapped_column(sa.String(120))
    sent_at: Mapped[datetime | None]
    # Set when the worker gave up (MAIL_MAX_ATTEMPTS failures); last_error has the server's answer.
    gave_up_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(sa.Text)

    @property
    def state(self) -> DeliveryState:
        if self.sent_at is not None:
            return DeliveryState.SENT
        if self.gave_up_at is not None:
            return DeliveryState.FAILED
        if self.claimed_at is not None:
            return DeliveryState.SENDING
        return DeliveryState.WAITING

    def __repr__(self) -> str:
        return f"<OutboxEmail {self.id} {self.state.value}>"
