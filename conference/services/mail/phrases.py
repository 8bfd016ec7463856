"""Values of placeholders that are words, not data, written in each email language: the
sentence an email says only sometimes ("The organisers vet every registration ..."), a time in
the way each language writes it, a role's name.

Each function returns a `Words`: the value in every language of EMAIL_LANGUAGES, of which
`sending.send_email` picks the recipient's.
"""

from datetime import datetime

from babel.dates import format_date

from conference.local_time import format_local_span, format_local_time, in_zone, zone_abbreviation
from conference.models import Event, TeamRole

Words = dict[str, str]


def vetting(event: Event, *, invitation: bool = False) -> Words:
    """What happens after registering, when the organisers vet registrations; else nothing."""
    if not event.approval_required:
        return {"en": "", "nl": ""}
    if invitation:
        return {
            "en": "The organisers vet every registration; we will write to you once yours is "
            "decided.",
            "nl": "De organisatoren beoordelen elke registratie; wij schrijven u zodra over de "
            "uwe is beslist.",
        }
    return {
        "en": "The organisers vet every registration. We will write to you again once yours is "
        "decided.",
        "nl": "De organisatoren beoordelen elke registratie. Wij schrijven u opnieuw zodra over "
        "de uwe is beslist.",
    }


def rejection(was_approved: bool) -> Words:
    if was_approved:
        return {
            "en": "have withdrawn the place they had given you",
            "nl": "hebben de plaats die zij u hadden gegeven ingetrokken",
        }
    return {
        "en": "could not accept your registration",
        "nl": "hebben uw registratie niet kunnen accepteren",
    }


def reason(text: str | None) -> Words:
    if not text:
        return {"en": "", "nl": ""}
    return {"en": f"The reason: {text}", "nl": f"De reden: {text}"}


def password_step(reset_link: str, needed: bool) -> Words:
    if not needed:
        return {"en": "", "nl": ""}
    return {
        "en": "To see or change your registration, first choose a password for your account "
        f"here: {reset_link}",
        "nl": "Kies eerst hier een wachtwoord voor uw account, dan kunt u uw registratie "
        f"bekijken of wijzigen: {reset_link}",
    }


def _nl_time(moment: datetime, timezone: str, with_zone: bool = True) -> str:
    local = in_zone(moment, timezone)
    text = f"{format_date(local.date(), 'd MMM y', locale='nl')}, {local:%H:%M}"
    return f"{text} {zone_abbreviation(local)}" if with_zone else text


def moment(value: datetime, timezone: str) -> Words:
    """A moment in the event's zone: "3 Nov 2014, 10:30 CET", "3 nov 2014, 10:30 CET"."""
    return {"en": format_local_time(value, timezone), "nl": _nl_time(value, timezone)}


def span(starts: datetime, ends: datetime, timezone: str) -> Words:
    """From when to when: "5 Nov 2014, 13:30–15:00 CET", "5 nov 2014, 13:30–15:00 CET"."""
    first, last = in_zone(starts, timezone), in_zone(ends, timezone)
    if first.date() == last.date() and zone_abbreviation(first) == zone_abbreviation(last):
        dutch = f"{_nl_time(starts, timezone, with_zone=False)}–{last:%H:%M} "
        dutch += zone_abbreviation(last)
    else:
        dutch = f"{_nl_time(starts, timezone)} – {_nl_time(ends, timezone)}"
    return {"en": format_local_span(starts, ends, timezone), "nl": dutch}


_ROLES_NL = {
    TeamRole.ORGANISER: "organisator",
    TeamRole.MODERATOR: "moderator",
    TeamRole.CHECK_IN: "incheckmedewerker",
    TeamRole.VIEWER: "meelezer",
}


def role(value: TeamRole) -> Words:
    return {"en": value.label.lower(), "nl": _ROLES_NL[value]}
