"""Arrivals as the check-in desk records them, written directly for the tests that read them."""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from conference.extensions import db
from conference.models import CheckIn, ProgrammeSession, Registration, SessionAttendance

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
