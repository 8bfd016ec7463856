"""The event's local time. Moments are stored in UTC; forms, pages, emails and exports speak the
event's time zone, and every time a person reads says which zone it is in ("10:30 CET"), as a
delegate flying in from another continent cannot guess it.

The one place that converts between UTC and an event's zone, for the services and the pages.
"""

from datetime import UTC, date, datetime
from functools import cache
from zoneinfo import ZoneInfo

# The zone of the conference in Amsterdam; pages without an event (a person's account) use it.
DEFAULT_TIMEZONE = "Europe/Amsterdam"


@cache
def zone(timezone: str) -> ZoneInfo:
    return ZoneInfo(timezone)


def in_zone(moment: datetime, timezone: str) -> datetime:
    """A stored moment as the clocks in the event's zone show it (time-zone aware)."""
    return moment.astimezone(zone(timezone))


def to_local(moment: datetime | None, timezone: str) -> datetime | None:
    """A stored UTC moment as the organisers type it: naive, in the event's time zone."""
    return in_zone(moment, timezone).replace(tzinfo=None) if moment else None


def to_utc(local: datetime | None, timezone: str) -> datetime | None:
    """A naive local time, as typed into a form, as the UTC moment it stands for."""
    return local.replace(tzinfo=zone(timezone)).astimezone(UTC) if local else None


def local_date(moment: datetime, timezone: str) -> date:
    """The day it is in the event's zone at that moment (in Amsterdam 00:30 is the next day
    already while it is 23:30 UTC)."""
    return in_zone(moment, timezone).date()


def clock_change_problem(local: datetime, timezone: str) -> str | None:
    """Why a typed local time cannot be stored, on the nights the clocks change; else None.

    When the clocks go forward an hour of local times never happens; when they go back an
    hour happens twice, and a typed time in it could mean either.
    """
    earlier = local.replace(tzinfo=zone(timezone), fold=0)
    later = local.replace(tzinfo=zone(timezone), fold=1)
    if to_local(earlier.astimezone(UTC), timezone) != local:
        return (
            f"There is no {local:%H:%M} on {local:%-d %B} in {timezone}: the clocks go forward "
            "an hour that night."
        )
    if earlier.utcoffset() != later.utcoffset():
        return (
            f"{local:%H:%M} on {local:%-d %B} happens twice in {timezone}, as the clocks go "
            "back: choose a time outside that hour."
        )
    return None


def zone_abbreviation(local: datetime) -> str:
    """The zone's short name on that date: CET in winter, CEST in summer; "UTC-03" for a zone
    whose database entry has only an offset."""
    name = local.strftime("%Z")
    return f"UTC{name}" if name[:1] in "+-" else name


def format_local_time(moment: datetime | None, timezone: str = DEFAULT_TIMEZONE) -> str:
    """A stored moment for a person to read: "3 Nov 2014, 10:30 CET", in the event's zone."""
    if moment is None:
        return ""
    local = in_zone(moment, timezone)
    return f"{local:%-d %b %Y, %H:%M} {zone_abbreviation(local)}"


def format_local_span(starts: datetime, ends: datetime, timezone: str = DEFAULT_TIMEZONE) -> str:
    """From when to when, read as one: "5 Nov 2014, 13:30–15:00 CET"; the date and zone are
    said again only where they change."""
    first, last = in_zone(starts, timezone), in_zone(ends, timezone)
    if first.date() != last.date():
        return f"{format_local_time(starts, timezone)} – {format_local_time(ends, timezone)}"
    if zone_abbreviation(first) != zone_abbreviation(last):
        return f"{first:%-d %b %Y, %H:%M} {zone_abbreviation(first)}–{last:%H:%M} " + (
            zone_abbreviation(last)
        )
    return f"{first:%-d %b %Y, %H:%M}–{last:%H:%M} {zone_abbreviation(last)}"


def date_range(start: date, end: date) -> str:
    """The days of an event as people write them: "5 and 6 November 2014"."""
    if start == end:
        return start.strftime("%-d %B %Y")
    if (start.year, start.month) == (end.year, end.month):
        return (
            f"{start.day} and {end.day} {end.strftime('%B %Y')}"
            if (end - start).days == 1
            else f"{start.day}–{end.day} {end.strftime('%B %Y')}"
        )
    return f"{start.strftime('%-d %B %Y')} – {end.strftime('%-d %B %Y')}"
