"""A delegate's registration for an event, and the statuses it moves through."""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from conference.models.base import Base, one_of, utcnow
from conference.models.event import Event
from conference.models.organisation import Organisation
from conference.models.privacy import Consent
from conference.models.user import User


class RegistrationStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    WAITLISTED = "waitlisted"
    REJECTED = "rejected"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return "Waiting list" if self is RegistrationStatus.WAITLISTED else self.title()


# Bootstrap's palette: a tag's or a track's colour is one of these names (the pages use the
# `.tag-<name>` classes); the hex values are for exports that carry a colour of their own.
TAG_COLOURS = {
    "blue": "#0d6efd",
    "indigo": "#6610f2",
    "purple": "#6f42c1",
    "pink": "#d63384",
    "red": "#dc3545",
    "orange": "#fd7e14",
    "yellow": "#ffc107",
    "green": "#198754",
    "teal": "#20c997",
    "cyan": "#0dcaf0",
    "gray": "#6c757d",
}

S = RegistrationStatus
# Which statuses each change may start from. Cancelled is final: a new registration replaces it.
ALLOWED_FROM: dict[str, set[RegistrationStatus]] = {
    "approve": {S.PENDING, S.WAITLISTED, S.REJECTED},
    "reject": {S.PENDING, S.WAITLISTED, S.APPROVED},
    "waitlist": {S.PENDING, S.REJECTED},
    "cancel": {S.PENDING, S.WAITLISTED, S.APPROVED},
    "edit": {S.PENDING},  # every field
    "correct": {S.APPROVED},  # only the fields a delegate may still change once approved
}


registration_tag = sa.Table(
    "registration_tag",
    Base.metadata,
    sa.Column(
        "registration_id",
        sa.ForeignKey("registration.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("tag_id", sa.ForeignKey("tag.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Tag(Base):
    """A coloured label an event's organisers put on registrations, e.g. "Speaker" or "VIP"."""

    __tablename__ = "tag"
    __table_args__ = (
        sa.UniqueConstraint("event_id", "name", name="uq_tag_event_id_name"),
        one_of("colour", TAG_COLOURS),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(sa.String(40))
    colour: Mapped[str] = mapped_column(sa.String(20), default="blue")

    def __repr__(self) -> str:
        return f"<Tag {self.name!r}>"


class Registration(Base):
    __tablename__ = "registration"
    __table_args__ = (
        one_of("status", RegistrationStatus),
        sa.CheckConstraint(
            "organisation_id IS NOT NULL OR organisation_other IS NOT NULL",
            name="has_organisation",
        ),
        # One registration per delegate and event; a cancelled one makes room for a new one.
        sa.Index(
            "uq_registration_active_per_user",
            "event_id",
            "user_id",
            unique=True,
            sqlite_where=sa.text("status <> 'cancelled'"),
            postgresql_where=sa.text("status <> 'cancelled'"),
        ),
        sa.Index("ix_registration_event_status", "event_id", "status"),
        # The list's default order: newest first, within one event.
        sa.Index("ix_registration_event_created", "event_id", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id", ondelete="RESTRICT"))
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="RESTRICT"), index=True
    )
    reference: Mapped[str] = mapped_column(sa.String(20), unique=True)
    status: Mapped[str] = mapped_column(sa.String(20), default=RegistrationStatus.PENDING)

    organisation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organisation.id", ondelete="RESTRICT"), index=True
    )
    # An organisation that is not on the event's list, as the delegate typed it.
    organisation_other: Mapped[str | None] = mapped_column(sa.String(200))
    country: Mapped[str] = mapped_column(sa.String(2))  # ISO 3166-1 alpha-2
    job_title: Mapped[str] = mapped_column(sa.String(200))
    dietary_needs: Mapped[str] = mapped_column(sa.String(500), default="")
    accessibility_needs: Mapped[str] = mapped_column(sa.String(500), default="")
    invitation_letter_needed: Mapped[bool] = mapped_column(default=False)
    # The version of the event's privacy notice the delegate last read, and when (None: the
    # event had no notice when they registered).
    privacy_notice_version: Mapped[int | None]
    privacy_notice_read_at: Mapped[datetime | None]

    decided_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    decided_at: Mapped[datetime | None]
    decision_reason: Mapped[str | None] = mapped_column(sa.Text)
    # Order on the waiting list: first waitlisted, first promoted.
    waitlisted_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    # The personal agenda's calendar link is derived from this; raising it revokes the old link.
    agenda_feed_version: Mapped[int] = mapped_column(default=1, server_default="1")
    # When its delegate's personal data was taken out (an erased account, the retention
    # period's end): what stays is counted in the statistics, and names nobody.
    anonymised_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    event: Mapped[Event] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    organisation: Mapped[Organisation | None] = relationship()
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    tags: Mapped[list[Tag]] = relationship(secondary=registration_tag, order_by=Tag.name)
    consents: Mapped[list[Consent]] = relationship(
        order_by=Consent.purpose, cascade="all, delete-orphan"
    )
    notes: Mapped[list["RegistrationNote"]] = relationship(
        back_populates="registration",
        order_by="RegistrationNote.created_at",
        cascade="all, delete-orphan",
    )

    @property
    def status_label(self) -> str:
        return RegistrationStatus(self.status).label

    @property
    def organisation_name(self) -> str:
        return self.organisation.name if self.organisation else (self.organisation_other or "")

    @property
    def is_active(self) -> bool:
        return self.status != RegistrationStatus.CANCELLED

    def consent_to(self, purpose: str) -> Consent | None:
        """The consent to `purpose`, given or withdrawn; None if it was never given."""
        return next((c for c in self.consents if c.purpose == purpose), None)

    def consents_to(self, purpose: str) -> bool:
        consent = self.consent_to(purpose)
        return consent is not None and consent.is_given

    def allows(self, change: str) -> bool:
        """Whether `change` ("approve", "reject", "waitlist", "cancel", "edit", "correct") may
        happen now."""
        return self.status in ALLOWED_FROM[change]

    def __repr__(self) -> str:
        return f"<Registration {self.reference} {self.status}>"


class RegistrationNote(Base):
    """An organiser's internal note on a registration. Never shown to the delegate."""

    __tablename__ = "registration_note"

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("registration.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    body: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    registration: Mapped[Registration] = relationship(back_populates="notes")
    author: Mapped[User | None] = relationship()
