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
    __table_args__ = (sa.CheckConstraint("email = lower(email)", name="email_lower_case"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    locale: Mapped[str] = mapped_column(sa.String(10), default="en")
    email_verified_at: Mapped[datetime | None]
    # Part of the login cookie: a new token ends every session opened before it.
    session_token: Mapped[str] = mapped_column(sa.String(64), default=new_session_token)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    team_roles: Mapped[list[TeamMember]] = relationship(cascade="all, delete-orphan")

    @property
    def is_verified(self) -> bool:
        return self.email_verified_at is not None

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    def organises(self, event) -> bool:
        return any(
            role.event_id == event.id and role.role == TeamRole.ORGANISER
            for role in self.team_roles
        )

    def __repr__(self) -> str:
        return f"<User {self.id}>"
