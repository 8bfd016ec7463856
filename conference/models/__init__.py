"""The domain model, one module per aggregate."""

from conference.models.audit import AuditEntry
from conference.models.base import Base, utcnow
from conference.models.event import Event, EventOrganisation, TeamMember, TeamRole
from conference.models.organisation import Organisation, OrganisationKind
from conference.models.outbox import OutboxEmail
from conference.models.registration import Registration, RegistrationStatus
from conference.models.user import User

__all__ = [
    "AuditEntry",
    "Base",
    "Event",
    "EventOrganisation",
    "Organisation",
    "OrganisationKind",
    "OutboxEmail",
    "Registration",
    "RegistrationStatus",
    "TeamMember",
    "TeamRole",
    "User",
    "utcnow",
]
