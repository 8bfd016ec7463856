"""What organisers say to delegates: their own wording of each email, and messages to groups."""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from conference.models.base import Base, one_of, utcnow
from conference.models.user import User

# The languages an email is written in; a delegate's account says which one they get.
EMAIL_LANGUAGES = {"en": "English", "nl": "Nederlands"}


class EmailTemplate(Base):
    """An event's own wording of one email of the catalogue in one language. Without a row the
    default text is sent; resetting to the default deletes the row."""

    __tablename__ = "email_template"
    __table_args__ = (
        sa.UniqueConstraint("event_id", "kind", "language", name="uq_email_template_event_id"),
        one_of("language", EMAIL_LANGUAGES),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(sa.String(60))
    language: Mapped[str] = mapped_column(sa.String(5))
    subject: Mapped[str] = mapped_column(sa.String(300))
    body: Mapped[str] = mapped_column(sa.Text)
    updated_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    updated_by: Mapped[User | None] = relationship()


class MessageState(enum.StrEnum):
    SCHEDULED = "scheduled"  # a reminder waiting for its time
    SENT = "sent"  # its copies are in the outbox, one per recipient
    CANCELLED = "cancelled"  # a reminder called off before its time

    @property
    def label(self) -> str:
        return self.value.capitalize()


class Message(Base):
    """An organiser's message to a group of an event's registrations, sent now or, as a
    reminder, when `send_at` comes. `audience` is the group's filter, as the registration list's
    query-string arguments (RegistrationFilter.as_args), read again when the message goes out."""

    __tablename__ = "message"
    __table_args__ = (
        one_of("state", [state.value for state in MessageState]),
        sa.Index("ix_message_due", "state", "send_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"))
    subject: Mapped[str] = mapped_column(sa.String(300))
    body: Mapped[str] = mapped_column(sa.Text)
    audience: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    state: Mapped[str] = mapped_column(sa.String(20), default=MessageState.SCHEDULED.value)
    # A reminder is scheduled for later and sent by the worker; a message goes out at once.
    is_reminder: Mapped[bool] = mapped_column(default=False)
    # A reminder's moment (UTC); for a message sent at once, when it was sent.
    send_at: Mapped[datetime] = mapped_column(default=utcnow)
    # A reminder set relative to the event ("7 days before"): kept so the form shows it so.
    days_before: Mapped[int | None]
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    recipient_count: Mapped[int] = mapped_column(default=0)

    created_by: Mapped[User | None] = relationship()
