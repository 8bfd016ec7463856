"""The programme: rooms, tracks, speakers and sessions; workshop sign-ups; published versions.

Organisers edit the live rows; publishing copies them into a `ProgrammeVersion` (a snapshot),
and the public pages, feeds and exports read only the newest snapshot.
"""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from conference.models.base import Base, one_of, utcnow
from conference.models.event import Event
from conference.models.organisation import Organisation
from conference.models.registration import TAG_COLOURS, Registration
from conference.models.user import User


class SessionKind(enum.StrEnum):
    PLENARY = "plenary"
    PANEL = "panel"
    WORKSHOP = "workshop"
    BREAK = "break"
    SOCIAL = "social"

    @property
    def label(self) -> str:
        return self.title()


class SpeakerRole(enum.StrEnum):
    SPEAKER = "speaker"
    CHAIR = "chair"
    MODERATOR = "moderator"

    @property
    def label(self) -> str:
        return self.title()


class SignupStatus(enum.StrEnum):
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"

    @property
    def label(self) -> str:
        return "Waiting list" if self is SignupStatus.WAITLISTED else "Confirmed"


class Room(Base):
    __tablename__ = "room"
    __table_args__ = (
        sa.UniqueConstraint("event_id", "name"),
        sa.CheckConstraint("capacity IS NULL OR capacity > 0", name="capacity_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(sa.String(100))
    capacity: Mapped[int | None]
    # The timetable's column order.
    position: Mapped[int] = mapped_column(default=0)

    event: Mapped[Event] = relationship()


class Track(Base):
    """A theme of the programme, e.g. victim identification, with a colour from the palette."""

    __tablename__ = "track"
    __table_args__ = (sa.UniqueConstraint("event_id", "name"), one_of("colour", TAG_COLOURS))

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(sa.String(100))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    colour: Mapped[str] = mapped_column(sa.String(20), default="blue")

    event: Mapped[Event] = relationship()


class Speaker(Base):
    """A person on the programme; optionally the account of a delegate."""

    __tablename__ = "speaker"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    # Their job title, e.g. "Head of the Victim Identification Team".
    title: Mapped[str] = mapped_column(sa.String(200), default="")
    organisation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organisation.id", ondelete="SET NULL")
    )
    # An organisation that is not among the known ones, as typed.
    organisation_other: Mapped[str] = mapped_column(sa.String(200), default="")
    bio: Mapped[str] = mapped_column(sa.Text, default="")
    user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )

    event: Mapped[Event] = relationship()
    organisation: Mapped[Organisation | None] = relationship()
    user: Mapped[User | None] = relationship()

    @property
    def organisation_name(self) -> str:
        return self.organisation.display_name if self.organisation else self.organisation_other


class ProgrammeSession(Base):
    """One item of the timetable: a plenary, panel, workshop, break or social event.

    Times are stored in UTC; organisers type and see them in the event's time zone.
    """

    __tablename__ = "programme_session"
    __table_args__ = (
        one_of("kind", SessionKind),
        sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        sa.CheckConstraint("capacity IS NULL OR capacity > 0", name="capacity_positive"),
        sa.Index("ix_programme_session_event_id_starts_at", "event_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(sa.String(300))
    abstract: Mapped[str] = mapped_column(sa.Text, default="")
    kind: Mapped[str] = mapped_column(sa.String(20))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    room_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("room.id", ondelete="RESTRICT"), index=True
    )
    track_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("track.id", ondelete="SET NULL"), index=True
    )
    # Places for sign-up (workshops); None: no sign-up, everyone may come.
    capacity: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    event: Mapped[Event] = relationship()
    room: Mapped[Room | None] = relationship()
    track: Mapped[Track | None] = relationship()
    speakers: Mapped[list["SessionSpeaker"]] = relationship(
        back_populates="session",
        order_by="SessionSpeaker.position",
        cascade="all, delete-orphan",
    )


class SessionSpeaker(Base):
    """A speaker's part in a session: speaker, chair or moderator."""

    __tablename__ = "session_speaker"
    __table_args__ = (one_of("role", SpeakerRole),)

    session_id: Mapped[int] = mapped_column(
        sa.ForeignKey("programme_session.id", ondelete="CASCADE"), primary_key=True
    )
    speaker_id: Mapped[int] = mapped_column(
        sa.ForeignKey("speaker.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    role: Mapped[str] = mapped_column(sa.String(20), default=SpeakerRole.SPEAKER)
    position: Mapped[int] = mapped_column(default=0)

    session: Mapped[ProgrammeSession] = relationship(back_populates="speakers")
    speaker: Mapped[Speaker] = relationship()


class SessionSignup(Base):
    """An approved delegate's place in a workshop, or their place on its waiting list."""

    __tablename__ = "session_signup"
    __table_args__ = (
        sa.UniqueConstraint("session_id", "registration_id"),
        one_of("status", SignupStatus),
        # The waiting list's order, and the count of confirmed places.
        sa.Index("ix_session_signup_session_id_status", "session_id", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        sa.ForeignKey("programme_session.id", ondelete="CASCADE")
    )
    registration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("registration.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(sa.String(20))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    session: Mapped[ProgrammeSession] = relationship()
    registration: Mapped[Registration] = relationship()


class ProgrammeVersion(Base):
    """A published programme: the whole timetable as the public sees it, frozen at publishing.

    `content` is the snapshot that `services.programme.publishing` writes and reads; `number`
    counts the event's publications (1, 2, ...), and is the version conference apps see.
    """

    __tablename__ = "programme_version"
    __table_args__ = (sa.UniqueConstraint("event_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"))
    number: Mapped[int]
    content: Mapped[dict] = mapped_column(sa.JSON)
    published_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
