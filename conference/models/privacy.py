"""The privacy notice an event's delegates read, and the consents they give or withdraw."""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from conference.models.base import Base, one_of, utcnow


class PrivacyNotice(Base):
    """One version of an event's privacy notice. A saved change is a new row, never an edit:
    a registration names the version its delegate read."""

    __tablename__ = "privacy_notice"
    __table_args__ = (
        sa.UniqueConstraint("event_id", "version", name="uq_privacy_notice_event_id_version"),
        sa.CheckConstraint("version > 0", name="version_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"))
    version: Mapped[int]
    controller: Mapped[str] = mapped_column(sa.Text)  # who is responsible, and where
    purpose: Mapped[str] = mapped_column(sa.Text)  # what the data is used for
    legal_basis: Mapped[str] = mapped_column(sa.Text)
    retention: Mapped[str] = mapped_column(sa.Text)  # how long it is kept
    contact: Mapped[str] = mapped_column(sa.Text)  # the data protection officer
    rights: Mapped[str] = mapped_column(sa.Text)  # the delegate's rights, and how to use them
    published_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    published_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<PrivacyNotice event={self.event_id} v{self.version}>"


class ConsentPurpose(enum.StrEnum):
    """What a delegate may consent to, each on its own."""

    PARTICIPANT_LIST = "participant_list"  # name, organisation, country in the directory
    DIRECTORY_EMAIL = "directory_email"  # and the email address beside them
    HOTEL = "hotel"  # name and dates shared with the conference hotel
    PHOTOS = "photos"  # appearing in the conference's photos


class Consent(Base):
    """A delegate's consent to one purpose: the wording's version, when it was given and, once
    withdrawn, when. No row: never given. Giving it again after a withdrawal starts the row
    afresh; the audit log keeps the history."""

    __tablename__ = "consent"
    __table_args__ = (
        sa.UniqueConstraint(
            "registration_id", "purpose", name="uq_consent_registration_id_purpose"
        ),
        one_of("purpose", ConsentPurpose),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("registration.id", ondelete="CASCADE")
    )
    purpose: Mapped[str] = mapped_column(sa.String(30))
    version: Mapped[str] = mapped_column(sa.String(20))  # of the question the delegate answered
    given_at: Mapped[datetime]
    withdrawn_at: Mapped[datetime | None]

    @property
    def is_given(self) -> bool:
        return self.withdrawn_at is None

    def __repr__(self) -> str:
        return f"<Consent {self.purpose} {'given' if self.is_given else 'not given'}>"
