"""The placeholders an email about a registration may use, and their values for one delegate.

Every email about a registration (the status emails, workshop places, reminders, an organiser's
message to a group) offers these; an email of the catalogue may offer more of its own. Dates and
countries are written in the email's language.
"""

from datetime import date

from babel import Locale
from babel.dates import format_date

from conference.countries import country_name
from conference.models import Event, Registration
from conference.services.links import absolute_url
from conference.services.mail.rendering import Placeholder

EVENT_PLACEHOLDERS = (
    Placeholder("event", "The event's name"),
    Placeholder("event_short", "The event's short name, as in subjects (VGT 2014)"),
    Placeholder("dates", "The event's days (5 and 6 November 2014)"),
    Placeholder("city", "The event's city"),
    Placeholder("venue", "The event's venue"),
)
REGISTRATION_PLACEHOLDERS = (
    Placeholder("name", "The delegate's name"),
    Placeholder("reference", "The registration's reference (VGT14-7K3QXA)"),
    Placeholder("organisation", "The delegate's organisation"),
    Placeholder("country", "The country the delegate comes from"),
    Placeholder("status", "The registration's status (approved, waiting list ...)"),
    Placeholder("registration_link", "The link to the delegate's registration page"),
    *EVENT_PLACEHOLDERS,
)

_AND = {"en": "and", "nl": "en"}
_STATUS_NL = {
    "pending": "in behandeling",
    "approved": "goedgekeurd",
    "waitlisted": "op de wachtlijst",
    "rejected": "afgewezen",
    "cancelled": "geannuleerd",
}


def days_of(start: date, end: date, language: str) -> str:
    """The event's days as people write them in `language`: "5 and 6 November 2014", "5 en 6
    november 2014"."""

    def day(value: date, pattern: str = "d MMMM y") -> str:
        return format_date(value, pattern, locale=language)

    if start == end:
        return day(start)
    if (start.year, start.month) == (end.year, end.month):
        between = f" {_AND.get(language, 'and')} " if (end - start).days == 1 else "–"
        return f"{start.day}{between}{day(end)}"
    return f"{day(start)} – {day(end)}"


def country_in(code: str | None, language: str) -> str:
    if language == "en" or not code:
        return country_name(code)
    return Locale(language).territories.get(code) or country_name(code)


def event_values(event: Event, language: str) -> dict[str, str]:
    return {
        "event": event.name,
        "event_short": event.short_name,
        "dates": days_of(event.starts_on, event.ends_on, language),
        "city": event.city,
        "venue": event.venue,
    }


def registration_values(registration: Registration, language: str) -> dict[str, str]:
    """The values of REGISTRATION_PLACEHOLDERS for one delegate's registration."""
    status = registration.status
    return {
        "name": registration.user.name,
        "reference": registration.reference,
        "organisation": registration.organisation_name,
        "country": country_in(registration.country, language),
        "status": _STATUS_NL.get(status, status)
        if language == "nl"
        else registration.status_label.lower(),
        "registration_link": absolute_url(
            "delegate.registration", event_slug=registration.event.slug
        ),
        **event_values(registration.event, language),
    }
