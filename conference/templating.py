"""What templates get besides their context: country names, local times, status colours."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pycountry
from flask import Flask, g
from flask_login import current_user

from conference.models import RegistrationStatus
from conference.permissions import permissions_of

STATUS_COLOURS = {
    RegistrationStatus.PENDING: "warning",
    RegistrationStatus.APPROVED: "success",
    RegistrationStatus.WAITLISTED: "info",
    RegistrationStatus.REJECTED: "danger",
    RegistrationStatus.CANCELLED: "secondary",
}


def status_label(status: str) -> str:
    return RegistrationStatus(status).label


def country_name(code: str | None) -> str:
    if not code:
        return ""
    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        return code
    return getattr(country, "common_name", None) or country.name


def local_time(moment: datetime | None, timezone: str = "Europe/Amsterdam") -> str:
    """A UTC timestamp as the organisers read it: in the event's time zone."""
    if moment is None:
        return ""
    return moment.astimezone(ZoneInfo(timezone)).strftime("%-d %b %Y, %H:%M")


def date_range(start: date, end: date) -> str:
    if start == end:
        return start.strftime("%-d %B %Y")
    if (start.year, start.month) == (end.year, end.month):
        return (
            f"{start.day} and {end.day} {end.strftime('%B %Y')}"
            if (end - start).days == 1
            else f"{start.day}–{end.day} {end.strftime('%B %Y')}"
        )
    return f"{start.strftime('%-d %B %Y')} – {end.strftime('%-d %B %Y')}"


def _can(permission: str) -> bool:
    """In a template: whether the current user may do this in the page's event."""
    return "event" in g and permission in permissions_of(current_user, g.event)


def register(app: Flask) -> None:
    app.jinja_env.add_extension("jinja2.ext.do")
    app.add_template_filter(country_name)
    app.add_template_filter(status_label)
    app.add_template_filter(local_time)
    app.add_template_global(date_range)
    app.add_template_global(lambda status: STATUS_COLOURS.get(status, "secondary"), "status_colour")
    app.context_processor(
        lambda: {"event": g.get("event"), "can": _can, "site_name": app.config["SITE_NAME"]}
    )
