"""The domain model, one module per aggregate."""

from conference.models.audit import AuditEntry
from conference.models.base import LARGEST_ID, Base, utcnow
from conference.models.communications import (
    EMAIL_LANGUAGES,
    EmailTemplate,
    Message,
    MessageState,
)
from conference.models.event import (
    Event,
    EventOrganisation,
    TeamInvitation,
    TeamMember,
    TeamRole,
)
from conference.models.on_site import Badge, BadgeRole, CheckIn, SessionAttendance, VisaLetter
from conference.models.organisation import Organisation, OrganisationKind
from conference.models.outbox import DeliveryState, OutboxEmail
from conference.models.privacy import Consent, ConsentPurpose, PrivacyNotice
from conference.models.programme import (
    ProgrammeSession,
    ProgrammeVersion,
    Room,
    SessionKind,
    SessionSignup,
    SessionSpeaker,
    SignupStatus,
    Speaker,
    SpeakerRole,
    Track,
)
from conference.models.registration import (
    TAG_COLOURS,
    Registration,
    RegistrationNote,
    RegistrationStatus,
    Tag,
)
from conference.models.registration_invitation import Invitation, InvitationState
from conference.models.user import RecoveryCode, User

__all__ = [
    "EMAIL_LANGUAGES",
    "DeliveryState",
    "EmailTemplate",
    "Message",
    "MessageState",
    "LARGEST_ID",
    "Badge",
    "BadgeRole",
    "CheckIn",
    "Consent",
    "ConsentPurpose",
    "PrivacyNotice",
    "SessionAttendance",
    "VisaLetter",
    "TAG_COLOURS",
    "RecoveryCode",
    "RegistrationNote",
    "Tag",
    "TeamInvitation",
    "AuditEntry",
    "Base",
    "Event",
    "Invitation",
    "InvitationState",
    "EventOrganisation",
    "Organisation",
    "OrganisationKind",
    "OutboxEmail",
    "ProgrammeSession",
    "ProgrammeVersion",
    "Room",
    "SessionKind",
    "SessionSignup",
    "SessionSpeaker",
    "SignupStatus",
    "Speaker",
    "SpeakerRole",
    "Track",
    "Registration",
    "RegistrationStatus",
    "TeamMember",
    "TeamRole",
    "User",
    "utcnow",
]
