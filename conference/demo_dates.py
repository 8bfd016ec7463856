"""When the demo conference takes place: on the source document's dates, 5 and 6 November 2014,
or on the same weekdays of an upcoming November, so that a new user can still try every step."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
SOURCE_FIRST_DAY = date(2014, 11, 5)  # a Wednesday: the conference ran Wednesday and Thursday
# The demo's registration window, in days before the first day: it opens on a Monday at 09:00
# (1 September 2014) and closes on the Friday before the conference at 17:00 (31 October 2014).
OPENS_DAYS_BEFORE, OPENS_AT = 65, time(9)
CLOSES_DAYS_BEFORE, CLOSES_AT = 5, time(17)


@dataclass(frozen=True)
class DemoDates:
    first_day: date
    last_day: date
    registration_opens_at: datetime  # aware, UTC
    registration_closes_at: datetime


def _local(day: date, clock: time) -> datetime:
    return datetime.combine(day, clock, AMSTERDAM).astimezone(UTC)


def _dates(first_day: date, opens_earlier: timedelta = timedelta(0)) -> DemoDates:
    opens = first_day - timedelta(days=OPENS_DAYS_BEFORE) - opens_earlier
    closes = first_day - timedelta(days=CLOSES_DAYS_BEFORE)
    return DemoDates(
        first_day=first_day,
        last_day=first_day + timedelta(days=1),
        registration_opens_at=_local(opens, OPENS_AT),
        registration_closes_at=_local(closes, CLOSES_AT),
    )


def source_dates() -> DemoDates:
    """5 and 6 November 2014, registration from 1 September to 31 October."""
    return _dates(SOURCE_FIRST_DAY)


def upcoming_dates(now: datetime) -> DemoDates:
    """The first Wednesday on or after 5 November and the Thursday after it, in the first year
    whose registration still closes after `now` (so the conference, too, is still to come).

    Registration opens a year earlier than it did in 2014, whatever the weekday: it has opened
    before `now` wherever in the year `now` falls, so the demo's delegates have signed up and a
    new user can register today. Everything keeps its weekday."""
    year = now.astimezone(AMSTERDAM).year
    while True:
        fifth = date(year, 11, 5)
        first_day = fifth + timedelta(days=(SOURCE_FIRST_DAY.weekday() - fifth.weekday()) % 7)
        dates = _dates(first_day, opens_earlier=timedelta(weeks=52))
        if dates.registration_closes_at > now:
            return dates
        year += 1
