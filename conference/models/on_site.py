"""The conference day: badges, check-ins at the desk, attendance at the workshop doors, and visa
invitation letters.

Badges and letters carry secrets (the QR code's token, the letter's verification code). Neither
is stored: each is an HMAC of the row's own random nonce under the app's secret key
(`services.on_site`), and only its SHA-256 hash is kept to find the row again, so a copy of the
database alone prints no badge and verifies no letter.
"""

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from conference.models.base import Base, one_of, utcnow
from conference.models.programme import ProgrammeSession
from conference.models.registration import Registration
from conference.models.user import User


class BadgeRole(enum.StrEnum):
    """What a badge says its bearer is, in one word a desk volunteer reads at two metres."""

    DELEGATE = "delegate"
    SPEAKER = "speaker"
    CHAIR = "chair"
    ORGANISER = "organiser"
    STAFF = "staff"
    PRESS = "press"

    @property
    def label(self) -> str:
        return self.title()


class Badge(Base):
    """A printed badge of an approved registration. A lost one is revoked and a new one issued:
    at most one badge of a registration is valid at a time, and the desk refuses the others."""

    __tablename__ = "badge"
    __table_args__ = (
        one_of("role", BadgeRole),
        sa.Index(
            "uq_badge_valid_per_registration",
            "registration_id",
            unique=True,
            sqlite_where=sa.text("revoked_at IS NULL"),
            postgresql_where=sa.text("revoked_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("registration.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(sa.String(20), default=BadgeRole.DELEGATE)
    nonce: Mapped[str] = mapped_column(sa.String(32))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    issued_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    revoked_at: Mapped[datetime | None]
    revoked_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    revoked_reason: Mapped[str] = mapped_column(sa.String(200), default="")

    registration: Mapped[Registration] = relationship()
    issued_by: Mapped[User | None] = relationship(foreign_keys=[issued_by_id])
    revoked_by: Mapped[User | None] = relationship(foreign_keys=[revoked_by_id])

    @property
    def is_valid(self) -> bool:
        return self.revoked_at is None


class CheckIn(Base):
    """A delegate's arrival on one day of the event. One per registration and day: the database
    refuses a second, so two desks scanning one badge at once make one check-in."""

    __tablename__ = "check_in"
    __table_args__ = (
        sa.UniqueConstraint("registration_id", "day", name="uq_check_in_registration_id_day"),
        sa.Index("ix_check_in_event_day", "event_id", "day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"))
    registration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("registration.id", ondelete="CASCADE")
    )
    day: Mapped[date]  # the event's local day
    # When the desk saw the badge: for a check-in made offline, the desk's time, not the sync's.
    checked_in_at: Mapped[datetime]
    checked_in_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    desk: Mapped[str] = mapped_column(sa.String(60), default="")
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    registration: Mapped[Registration] = relationship()
    checked_in_by: Mapped[User | None] = relationship()


class SessionAttendance(Base):
    """A delegate who came through the door of a session (a workshop, say). Once per session."""

    __tablename__ = "session_attendance"
    __table_args__ = (
        sa.UniqueConstraint(
            "session_id", "registration_id", name="uq_session_attendance_session_id_registration_id"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        sa.ForeignKey("programme_session.id", ondelete="CASCADE"), index=True
    )
    registration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("registration.id", ondelete="CASCADE"), index=True
    )
    attended_at: Mapped[datetime]
    recorded_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    session: Mapped[ProgrammeSession] = relationship()
    registration: Mapped[Registration] = relationship()


class VisaLetter(Base):
    """A visa invitation letter for an approved delegate who asked for one: the passport
    details it needs, asked only then and shown to organisers only. One valid letter per
    registration; a withdrawn one stays, so that an embassy checking its code is told so."""

    __tablename__ = "visa_letter"
    __table_args__ = (
        sa.Index(
            "uq_visa_letter_valid_per_registration",
            "registration_id",
            unique=True,
            sqlite_where=sa.text("withdrawn_at IS NULL"),
            postgresql_where=sa.text("withdrawn_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("registration.id", ondelete="CASCADE"), index=True
    )
    reference: Mapped[str] = mapped_column(sa.String(30), unique=True)
    passport_name: Mapped[str] = mapped_column(sa.String(200))
    nationality: Mapped[str] = mapped_column(sa.String(2))  # ISO 3166-1 alpha-2
    passport_number: Mapped[str] = mapped_column(sa.String(40))
    date_of_birth: Mapped[date]
    nonce: Mapped[str] = mapped_column(sa.String(32))
    code_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    first_downloaded_at: Mapped[datetime | None]
    last_downloaded_at: Mapped[datetime | None]
    downloads: Mapped[int] = mapped_column(default=0, server_default="0")
    withdrawn_at: Mapped[datetime | None]
    withdrawn_reason: Mapped[str] = mapped_column(sa.String(200), default="")

    registration: Mapped[Registration] = relationship()

    @property
    def is_valid(self) -> bool:
        return self.withdrawn_at is None
