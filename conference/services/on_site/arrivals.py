"""Who has arrived: the organisers' live counts per day, who is still expected, and who signed
up for a workshop and who came through its door. Read only: the desk writes the check-ins."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from conference.extensions import db
from conference.local_time import local_date
from conference.models import (
    CheckIn,
    Event,
    ProgrammeSession,
    Registration,
    SessionAttendance,
    SessionSignup,
    SignupStatus,
    User,
    utcnow,
)
from conference.models import RegistrationStatus as Status
from conference.services.audit.writing import log_action
from conference.services.errors import NotADayOfTheEvent
from conference.services.registration.exports import (
    Column,
    Export,
    _count,
    _field_columns,
    _in_batches,
)
from conference.services.registration.fields import ExportList


@dataclass(frozen=True)
class DayCount:
    day: date
    checked_in: int
    expected: int

    @property
    def still_expected(self) -> int:
        return self.expected - self.checked_in

    def as_json(self) -> dict[str, Any]:
        return {
            "day": self.day.isoformat(),
            "checked_in": self.checked_in,
            "expected": self.expected,
            "still_expected": self.still_expected,
        }


def _approved_of(event: Event) -> sa.ColumnElement[bool]:
    return sa.and_(Registration.event_id == event.id, Registration.status == Status.APPROVED)


def counts_per_day(event: Event) -> list[DayCount]:
    """For each day of the event: how many approved delegates have checked in, of how many are
    expected (every approved delegate, every day). A check-in of a registration cancelled
    since no longer counts, so the checked in never exceed the expected. Two queries, however
    many days and delegates."""
    expected = db.session.scalar(
        sa.select(sa.func.count()).select_from(Registration).where(_approved_of(event))
    )
    arrived = dict(
        db.session.execute(
            sa.select(CheckIn.day, sa.func.count())
            .join(Registration, Registration.id == CheckIn.registration_id)
            .where(CheckIn.event_id == event.id, _approved_of(event))
            .group_by(CheckIn.day)
        ).all()
    )
    return [DayCount(day, arrived.get(day, 0), expected) for day in event.days]


def day_to_show(event: Event, asked: str | None = None, *, now: datetime | None = None) -> date:
    """The day whose arrivals a page shows: the one asked for (as YYYY-MM-DD), else today at
    the venue while the event is on, else its first day. A day the event does not have, or
    one that is not a date, is refused."""
    if asked:
        try:
            return _one_of_the_days(event, date.fromisoformat(asked))
        except ValueError:
            raise NotADayOfTheEvent(f"“{asked[:20]}” is not a date.", field="day") from None
    today = local_date(now or utcnow(), event.timezone)
    return today if today in event.days else event.starts_on


def _one_of_the_days(event: Event, day: date) -> date:
    if day not in event.days:
        raise NotADayOfTheEvent(
            f"{day:%-d %B %Y} is not a day of {event.short_name}.",
            field="day",
        )
    return day


def _not_arrived_query(event: Event, day: date) -> sa.Select:
    checked_in = sa.select(CheckIn.id).where(
        CheckIn.registration_id == Registration.id, CheckIn.day == day
    )
    return (
        sa.select(Registration)
        .join(User, User.id == Registration.user_id)
        .where(_approved_of(event), ~checked_in.exists())
        .order_by(User.name, Registration.reference)
    )


def not_arrived(event: Event, day: date) -> list[Registration]:
    """The approved delegates with no check-in on `day`, by name; a day that is not one of
    the event's is refused."""
    query = _not_arrived_query(event, _one_of_the_days(event, day))
    return list(db.session.scalars(query))


# The list the desk's supervisor phones round: who they are, and how to reach them.
NOT_ARRIVED_COLUMNS: dict[str, Column] = {
    "name": Column("Name", lambda r, e: r.user.name),
    "email": Column("Email", lambda r, e: r.user.email),
    **_field_columns(ExportList.SECURITY, with_kind=False),
    "reference": Column("Reference", lambda r, e: r.reference),
}


def not_arrived_list(event: Event, day: date, *, actor: User) -> Export:
    """The approved delegates not checked in on `day`, as a file. Personal data leaves the
    system, so the export is audited (who, which day, how many rows)."""
    query = _not_arrived_query(event, _one_of_the_days(event, day))
    count = _count(query)
    log_action(
        "export.not_arrived", event, actor=actor, event_id=event.id, day=day.isoformat(), rows=count
    )

    def rows() -> Iterator[list[Any]]:
        for registration in _in_batches(query):
            yield [column.value(registration, event) for column in NOT_ARRIVED_COLUMNS.values()]

    return Export(
        f"not-arrived-{day.isoformat()}",
        "Not arrived",
        [column.header for column in NOT_ARRIVED_COLUMNS.values()],
        rows,
        count,
    )


@dataclass(frozen=True)
class WorkshopPerson:
    name: str
    reference: str
    organisation: str
    signed_up: bool
    came: bool


def workshop_attendance(session: ProgrammeSession) -> list[WorkshopPerson]:
    """Who has a confirmed place in `session`, and who came through its door (those who came
    without a place too), by name. Two queries: the people, then their organisations."""
    confirmed = (
        sa.select(SessionSignup.id)
        .where(
            SessionSignup.session_id == session.id,
            SessionSignup.registration_id == Registration.id,
            SessionSignup.status == SignupStatus.CONFIRMED,
        )
        .exists()
    )
    came = (
        sa.select(SessionAttendance.id)
        .where(
            SessionAttendance.session_id == session.id,
            SessionAttendance.registration_id == Registration.id,
        )
        .exists()
    )
    rows = db.session.execute(
        sa.select(Registration, User.name, confirmed.label("signed_up"), came.label("came"))
        .join(User, User.id == Registration.user_id)
        .where(Registration.event_id == session.event_id, sa.or_(confirmed, came))
        .order_by(User.name, Registration.reference)
        .options(selectinload(Registration.organisation))
    ).all()
    return [
        WorkshopPerson(
            name,
            registration.reference,
            registration.organisation_name,
            bool(signed_up),
            bool(came),
        )
        for registration, name, signed_up, came in rows
    ]
