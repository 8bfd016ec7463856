"""The organisers' dashboard: the event's registrations counted in a few fixed queries.

Every figure is aggregated by the database (GROUP BY); nothing loads the registrations
themselves, so the dashboard costs the same for 10 delegates as for 10,000.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa

from conference.countries import country_name, reading_order
from conference.extensions import db
from conference.local_time import local_date
from conference.models import Event, Organisation, OrganisationKind, Registration, utcnow
from conference.models import RegistrationStatus as Status
from conference.models.event import days_between

# The registrations still in play: those who come, may come, or wait to hear.
IN_PLAY = (Status.PENDING, Status.APPROVED, Status.WAITLISTED)
# Sign-ups spread over more days than this are counted per week.
DAYS_BEFORE_WEEKS = 42
# The sign-up chart covers at most this many days before the event's last day (two years).
SIGNUP_DAYS_AT_MOST = 730
UNLISTED = "unlisted"  # a delegate's organisation typed in, not on the event's list


@dataclass(frozen=True)
class Bar:
    """One bar of a chart: what it counts, and how many."""

    key: str
    label: str
    count: int
    highlight: bool = False  # e.g. a participating country


@dataclass(frozen=True)
class Dashboard:
    capacity: int
    approved: int
    seats_left: int
    total: int
    statuses: list[Bar]
    countries: list[Bar]
    kinds: list[Bar]
    signups: list[Bar]
    signups_per: str  # "day" or "week"
    signups_period: tuple[date, date]  # the days a sign-up may be drawn on
    signups_drawn: tuple[date, date] | None  # the first and last day with a sign-up drawn
    signups_left_out: int  # sign-ups dated outside that period, not drawn
    days_to_event: int | None  # None once the event is over; 0 while it runs
    event_over: bool
    registration_open: bool


def _status_bars(event: Event) -> list[Bar]:
    counts = dict(
        db.session.execute(
            sa.select(Registration.status, sa.func.count())
            .where(Registration.event_id == event.id)
            .group_by(Registration.status)
        ).all()
    )
    return [Bar(status.value, status.label, counts.get(status, 0)) for status in Status]


def _country_bars(event: Event) -> list[Bar]:
    """Every participating country, those with none yet too, then any other a delegate named."""
    counts = dict(
        db.session.execute(
            sa.select(Registration.country, sa.func.count())
            .where(Registration.event_id == event.id, Registration.status.in_(IN_PLAY))
            .group_by(Registration.country)
        ).all()
    )
    participating = set(event.participating_countries or [])
    codes = participating | set(counts)
    bars = [
        Bar(code, country_name(code), counts.get(code, 0), code in participating) for code in codes
    ]
    return sorted(bars, key=lambda bar: (-bar.count, not bar.highlight, reading_order(bar.label)))


def _kind_bars(event: Event) -> list[Bar]:
    kind = sa.func.coalesce(Organisation.kind, UNLISTED)
    counts = dict(
        db.session.execute(
            sa.select(kind, sa.func.count())
            .select_from(Registration)
            .outerjoin(Registration.organisation)
            .where(Registration.event_id == event.id, Registration.status.in_(IN_PLAY))
            .group_by(kind)
        ).all()
    )
    bars = [Bar(k.value, k.label, counts.get(k.value, 0)) for k in OrganisationKind]
    bars.append(Bar(UNLISTED, "Not on the partner list", counts.get(UNLISTED, 0)))
    return bars


def _hour(column):
    """The timestamp cut to its hour, in UTC: the event's time zone differs from UTC by whole
    hours, so hours convert to local days exactly (SQLite knows no time zones)."""
    if db.session.get_bind().dialect.name == "postgresql":
        return sa.func.date_trunc("hour", sa.func.timezone("UTC", column))
    return sa.func.strftime("%Y-%m-%d %H:00:00", column)


def _as_utc(value) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def signup_period(event: Event) -> tuple[date, date]:
    """The days the sign-up chart may cover: up to the event's last day (registration closes
    when it is over), from a year before it, or from the registration's opening when that is
    earlier, but never more than two years before it.

    A registration dated outside (imported, or entered while a clock was wrong) is counted
    apart, so that one stray date cannot stretch the chart over years."""
    last = event.ends_on
    first = last - timedelta(days=365)
    if event.registration_opens_at:
        opens = local_date(event.registration_opens_at, event.timezone)
        first = min(first, opens)
    return max(first, last - timedelta(days=SIGNUP_DAYS_AT_MOST)), last


def _labels(days: list[date]) -> list[str]:
    """'5 Nov', or '5 Nov 2014' on every label when the days span two years."""
    fmt = "%-d %b" if days[0].year == days[-1].year else "%-d %b %Y"
    return [day.strftime(fmt) for day in days]


@dataclass(frozen=True)
class _SignupChart:
    bars: list[Bar]
    per: str
    drawn: tuple[date, date] | None
    left_out: int


def _signup_chart(event: Event) -> _SignupChart:
    """Registrations per local day, or per week (from Monday) when they span many weeks, from
    the first sign-up to the last within `signup_period`, and how many fall outside it. The
    days or weeks with none are there too, so the axis is time."""
    hour = _hour(Registration.created_at).label("hour")
    rows = db.session.execute(
        sa.select(hour, sa.func.count())
        .where(Registration.event_id == event.id)
        .group_by(hour)
        .order_by(hour)
    ).all()
    earliest, latest = signup_period(event)
    per_day: dict[date, int] = {}
    left_out = 0
    for moment, count in rows:
        day = local_date(_as_utc(moment), event.timezone)
        if earliest <= day <= latest:
            per_day[day] = per_day.get(day, 0) + count
        else:
            left_out += count
    if not per_day:
        return _SignupChart([], "day", None, left_out)
    first, last = min(per_day), max(per_day)
    if (last - first).days < DAYS_BEFORE_WEEKS:
        days = days_between(first, last)
        bars = [
            Bar(day.isoformat(), label, per_day.get(day, 0))
            for day, label in zip(days, _labels(days), strict=True)
        ]
        return _SignupChart(bars, "day", (first, last), left_out)
    per_week: dict[date, int] = {}
    for day, count in per_day.items():
        monday = day - timedelta(days=day.weekday())
        per_week[monday] = per_week.get(monday, 0) + count
    mondays = days_between(min(per_week), max(per_week))[::7]
    bars = [
        Bar(monday.isoformat(), label, per_week.get(monday, 0))
        for monday, label in zip(mondays, _labels(mondays), strict=True)
    ]
    return _SignupChart(bars, "week", (first, last), left_out)


def dashboard_for(event: Event, now: datetime | None = None) -> Dashboard:
    """The event's figures as of `now`: four aggregate queries, whatever the number of delegates."""
    now = now or utcnow()
    statuses = _status_bars(event)
    approved = next(bar.count for bar in statuses if bar.key == Status.APPROVED)
    signups = _signup_chart(event)
    today = local_date(now, event.timezone)
    over = today > event.ends_on
    return Dashboard(
        capacity=event.capacity,
        approved=approved,
        seats_left=max(event.capacity - approved, 0),
        total=sum(bar.count for bar in statuses),
        statuses=statuses,
        countries=_country_bars(event),
        kinds=_kind_bars(event),
        signups=signups.bars,
        signups_per=signups.per,
        signups_period=signup_period(event),
        signups_drawn=signups.drawn,
        signups_left_out=signups.left_out,
        days_to_event=None if over else max((event.starts_on - today).days, 0),
        event_over=over,
        registration_open=event.registration_open_at(now),
    )
