"""The event, its host and partners, and the team that runs it."""

import enum
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from conference.models.base import Base, one_of, utcnow
from conference.models.organisation import Organisation


def days_between(first: date, last: date) -> list[date]:
    """Every day from `first` to `last`, both included."""
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


class Event(Base):
    __tablename__ = "event"
    __table_args__ = (
        sa.CheckConstraint("capacity > 0", name="capacity_positive"),
        sa.CheckConstraint("ends_on >= starts_on", name="ends_after_start"),
        sa.CheckConstraint("retention_months > 0", name="retention_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(60), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    short_name: Mapped[str] = mapped_column(sa.String(40))
    # The prefix of every registration reference, e.g. VGT14 in VGT14-7K3QXA.
    reference_prefix: Mapped[str] = mapped_column(sa.String(10))
    tagline: Mapped[str] = mapped_column(sa.String(300), default="")
    description: Mapped[str] = mapped_column(sa.Text, default="")
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    timezone: Mapped[str] = mapped_column(sa.String(60), default="Europe/Amsterdam")
    venue: Mapped[str] = mapped_column(sa.String(200), default="")
    city: Mapped[str] = mapped_column(sa.String(100), default="")
    country: Mapped[str] = mapped_column(sa.String(2), default="NL")
    # ISO 3166-1 alpha-2 codes of the countries invited to send delegates.
    participating_countries: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    capacity: Mapped[int]
    registration_opens_at: Mapped[datetime | None]
    registration_closes_at: Mapped[datetime | None]
    approval_required: Mapped[bool] = mapped_column(default=True)
    invitation_only: Mapped[bool] = mapped_column(default=False)
    # The number of the programme version the public sees (a ProgrammeVersion of this event);
    # None until the programme is first published. Read with the event, it costs no query.
    programme_version: Mapped[int | None]
    # The visa invitation letter, as the organisers word it in the settings: the host's
    # letterhead (its address lines), the purpose and the costs paragraphs, and who signs.
    letter_letterhead: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    letter_purpose: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    letter_costs: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    letter_signatory_name: Mapped[str] = mapped_column(
        sa.String(200), default="", server_default=""
    )
    letter_signatory_title: Mapped[str] = mapped_column(
        sa.String(200), default="", server_default=""
    )
    # How long the delegates' personal data is kept after the event: `flask purge` then
    # anonymises it (services.privacy.retention).
    retention_months: Mapped[int] = mapped_column(default=12, server_default="12")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    organisations: Mapped[list["EventOrganisation"]] = relationship(
        back_populates="event",
        order_by="EventOrganisation.position",
        cascade="all, delete-orphan",
    )

    @property
    def host(self) -> Organisation | None:
        return next((link.organisation for link in self.organisations if link.is_host), None)

    @property
    def partners(self) -> list["EventOrganisation"]:
        return [link for link in self.organisations if not link.is_host]

    @property
    def days(self) -> list[date]:
        return days_between(self.starts_on, self.ends_on)

    @property
    def ends_at(self) -> datetime:
        """The moment the event is over: midnight after its last day, in its own time zone."""
        day_after = self.ends_on + timedelta(days=1)
        return datetime.combine(day_after, time(), ZoneInfo(self.timezone)).astimezone(UTC)

    @property
    def registration_ends_at(self) -> datetime:
        """When registration closes: at the time the organisers set, at the latest when the
        event is over, so nobody signs up for an event that has been."""
        closes = self.registration_closes_at
        return min(closes, self.ends_at) if closes else self.ends_at

    def registration_open_at(self, moment: datetime) -> bool:
        if self.registration_opens_at and moment < self.registration_opens_at:
            return False
        return moment < self.registration_ends_at

    def __repr__(self) -> str:
        return f"<Event {self.slug}>"


class EventOrganisation(Base):
    """An organisation's part in an event: its host, or one of its partners."""

    __tablename__ = "event_organisation"

    event_id: Mapped[int] = mapped_column(
        sa.ForeignKey("event.id", ondelete="CASCADE"), primary_key=True
    )
    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisation.id", ondelete="RESTRICT"), primary_key=True
    )
    is_host: Mapped[bool] = mapped_column(default=False)
    position: Mapped[int] = mapped_column(default=0)

    event: Mapped[Event] = relationship(back_populates="organisations")
    organisation: Mapped[Organisation] = relationship(lazy="joined")


class TeamRole(enum.StrEnum):
    ORGANISER = "organiser"  # everything
    MODERATOR = "moderator"  # approve, reject, waitlist
    CHECK_IN = "check_in"  # the check-in desk only
    VIEWER = "viewer"  # reads, changes nothing

    @property
    def label(self) -> str:
        return "Check-in staff" if self is TeamRole.CHECK_IN else self.title()


class TeamMember(Base):
    """A user's role in running one event; it opens that event's back office, and no other."""

    __tablename__ = "team_member"
    __table_args__ = (one_of("role", TeamRole),)

    event_id: Mapped[int] = mapped_column(
        sa.ForeignKey("event.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(sa.String(20))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class TeamInvitation(Base):
    """An invitation by email to join an event's team; its link works once, for a while."""

    __tablename__ = "team_invitation"
    __table_args__ = (one_of("role", TeamRole),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(sa.String(254))
    role: Mapped[str] = mapped_column(sa.String(20))
    # Only a hash of the link's secret is kept: a copy of the database opens no team.
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    invited_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    accepted_at: Mapped[datetime | None]

    event: Mapped[Event] = relationship()
