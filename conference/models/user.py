"""People with an account: delegates, and the organisers who run an event."""

import secrets
from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from conference.models.base import Base, utcnow
from conference.models.event import TeamMember, TeamRole


def new_session_token() -> str:
    return secrets.token_urlsafe(24)


class User(UserMixin, Base):
    __tablename__ = "user_account"
    __table_args__ = (
        sa.CheckConstraint("email = lower(email)", name="email_lower_case"),
        sa.CheckConstraint("pending_email = lower(pending_email)", name="pending_email_lower_case"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    locale: Mapped[str] = mapped_column(sa.String(10), default="en")
    email_verified_at: Mapped[datetime | None]
    # A new address asked for, waiting for its link to be followed; `email` stays the log-in and
    # gets the mail until then. Not unique: it belongs to nobody yet.
    pending_email: Mapped[str | None] = mapped_column(sa.String(254))
    # Part of the login cookie: a new token ends every session opened before it.
    session_token: Mapped[str] = mapped_column(sa.String(64), default=new_session_token)
    # Two-factor log-in with a time-based one-time password (TOTP).
    totp_secret: Mapped[str | None] = mapped_column(sa.String(64))
    totp_enabled_at: Mapped[datetime | None]
    # The last 30-second time step whose code was accepted: a code works once.
    totp_last_step: Mapped[int | None] = mapped_column(sa.BigInteger)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    team_roles: Mapped[list[TeamMember]] = relationship(cascade="all, delete-orphan")
    recovery_codes: Mapped[list["RecoveryCode"]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    @property
    def is_verified(self) -> bool:
        return self.email_verified_at is not None

    @property
    def has_two_factor(self) -> bool:
        return self.totp_enabled_at is not None

    def role_in(self, event) -> TeamRole | None:
        return next(
            (TeamRole(member.role) for member in self.team_roles if member.event_id == event.id),
            None,
        )

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    def organises(self, event) -> bool:
        return self.role_in(event) == TeamRole.ORGANISER

    def __repr__(self) -> str:
        return f"<User {self.id}>"


class RecoveryCode(Base):
    """A one-time code for logging in without the authenticator app; only its hash is kept."""

    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    code_hash: Mapped[str] = mapped_column(sa.String(64))
    used_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(back_populates="recovery_codes")
