"""Organisations: the police forces, agencies, NGOs and companies delegates come from."""

import enum
import re
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from conference.models.base import Base, one_of, utcnow


class OrganisationKind(enum.StrEnum):
    LAW_ENFORCEMENT = "law_enforcement"
    INTERGOVERNMENTAL = "intergovernmental"
    GOVERNMENT = "government"
    NGO = "ngo"
    INDUSTRY = "industry"
    ACADEMIA = "academia"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {
            "law_enforcement": "Law enforcement",
            "intergovernmental": "Intergovernmental organisation",
            "government": "Government",
            "ngo": "NGO",
            "industry": "Industry",
            "academia": "Academia",
            "other": "Other",
        }[self.value]


class Organisation(Base):
    __tablename__ = "organisation"
    __table_args__ = (one_of("kind", OrganisationKind),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    short_name: Mapped[str | None] = mapped_column(sa.String(40))
    kind: Mapped[str] = mapped_column(sa.String(30))
    country: Mapped[str | None] = mapped_column(sa.String(2))  # ISO 3166-1 alpha-2
    website: Mapped[str | None] = mapped_column(sa.String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def kind_label(self) -> str:
        return OrganisationKind(self.kind).label

    @property
    def display_name(self) -> str:
        """The full name with the short one people know, "Federal Bureau of Investigation
        (FBI)"; the name alone when it says the short one already ("Interpol" for INTERPOL,
        "Terre des Hommes Netherlands" for Terre des Hommes)."""
        if self.short_name and not re.search(
            rf"\b{re.escape(self.short_name)}\b", self.name, re.IGNORECASE
        ):
            return f"{self.name} ({self.short_name})"
        return self.name

    def __repr__(self) -> str:
        return f"<Organisation {self.name!r}>"
