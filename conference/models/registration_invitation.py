"""An invitation to register for an event, with a code that works once."""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from conference.models.base import Base, utcnow
from conference.models.event import Event
from conference.models.registration import Registration
from conference.models.user import User


class InvitationState(enum.StrEnum):
    OPEN = "open"
    USED = "used"
    REVOKED = "revoked"

    @property
    def label(self) -> str:
        return {"open": "Not used yet", "used": "Registered", "revoked": "Withdrawn"}[self.value]


class Invitation(Base):
    """One invited person per event; the emailed code registers once, then never again."""

    __tablename__ = "invitation"
    __table_args__ = (sa.UniqueConstraint("event_id", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # No index of its own: the unique (event_id, email) serves the event's list.
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(sa.String(254))
    name: Mapped[str] = mapped_column(sa.String(200))
    organisation: Mapped[str] = mapped_column(sa.String(200), default="")
    country: Mapped[str | None] = mapped_column(sa.String(2))
    # Only a hash of the code is kept: a copy of the database registers nobody.
    code_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    invited_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
    used_at: Mapped[datetime | None]
    registration_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("registration.id", ondelete="SET NULL")
    )
    revoked_at: Mapped[datetime | None]

    event: Mapped[Event] = relationship()
    invited_by: Mapped[User | None] = relationship()
    registration: Mapped[Registration | None] = relationship()

    @property
    def state(self) -> InvitationState:
        if self.used_at is not None:
            return InvitationState.USED
        if self.revoked_at is not None:
            return InvitationState.REVOKED
        return InvitationState.OPEN
