"""Arrivals as the check-in desk records them, written directly for the tests that read them;
and delegates who asked for a visa invitation letter."""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from conference.extensions import db
from conference.models import (
    CheckIn,
    Event,
    ProgrammeSession,
    Registration,
    SessionAttendance,
    utcnow,
)
from conference.models import RegistrationStatus as Status
from conference.services.on_site import badges
from conference.services.on_site.visa_letters import LetterDetails
from conference.services.registration import workflow
from tests.factories import register

FIRST_DAY, SECOND_DAY = date(2014, 11, 5), date(2014, 11, 6)


def check_in(registration: Registration, day: date, at: time = time(8, 45)) -> CheckIn:
    """The delegate's arrival at the desk on `day`, at `at` on the venue's clocks."""
    moment = datetime.combine(day, at, ZoneInfo(registration.event.timezone))
    arrival = CheckIn(
        event_id=registration.event_id,
        registration_id=registration.id,
        day=day,
        checked_in_at=moment.astimezone(UTC),
        desk="Main entrance",
    )
    db.session.add(arrival)
    db.session.flush()
    return arrival


def came_to(registration: Registration, session: ProgrammeSession) -> SessionAttendance:
    """The delegate through the session's door, as it began."""
    attendance = SessionAttendance(
        session_id=session.id, registration_id=registration.id, attended_at=session.starts_at
    )
    db.session.add(attendance)
    db.session.flush()
    return attendance


# --- visa invitation letters --------------------------------------------------------------------

PASSPORT = LetterDetails(
    passport_name="Siriporn Chaiyaporn",
    nationality="TH",
    passport_number="AA1234567",
    date_of_birth=date(1979, 3, 14),
)


def asked_for_letter(event: Event, email: str) -> Registration:
    """An approved delegate who asked for a visa invitation letter."""
    registration = register(event, email, invitation_letter_needed=True)
    if registration.status != Status.APPROVED:
        workflow.change_status(registration, Status.APPROVED, actor=None, now=utcnow())
    db.session.flush()
    return registration


def letter_worded(event: Event) -> Event:
    """The letter's settings filled in, as the organisers do in the event settings."""
    event.letter_letterhead = (
        "Dutch National Police\nNational Unit\nPostbus 100, 3970 AC Driebergen"
    )
    event.letter_purpose = (
        "To take part in the conference on fighting online child sexual exploitation."
    )
    event.letter_costs = (
        "The host bears the conference fee and lunches; travel and hotel are the delegate's."
    )
    event.letter_signatory_name = "Ruud Bik"
    event.letter_signatory_title = "Deputy Chief of Police"
    db.session.flush()
    return event


def badge_token_of(registration: Registration) -> str:
    """What the QR code of the registration's badge carries (the badge printed if it was not)."""
    return badges.token_of(badges.badge_of(registration, actor=None))


def badge_hash_of(registration: Registration) -> str:
    """The badge as the desk's offline copy names it: the SHA-256 hash of its token."""
    return badges.badge_of(registration, actor=None).token_hash
