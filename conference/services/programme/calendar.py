"""iCalendar (RFC 5545) feeds: the whole published programme, and each delegate's agenda.

Times carry the event's time zone (TZID=Europe/Amsterdam) with its VTIMEZONE, so calendar apps
show them right wherever the delegate is. UIDs are stable per session, so a calendar that
refreshes the feed updates its events instead of doubling them; DTSTAMP is when the programme
was published.

A delegate's personal feed sits behind a private link: an HMAC of the registration and its
`agenda_feed_version`, keyed with the app's secret. Making a new link raises the version, and
the old link stops working.
"""

import hashlib
import hmac
from datetime import date
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app
from icalendar import Calendar
from icalendar import Event as CalendarEvent

from conference.extensions import db
from conference.models import Event, Registration, User
from conference.models import RegistrationStatus as Status
from conference.services.audit.writing import log_action
from conference.services.errors import NotAllowed
from conference.services.links import absolute_url
from conference.services.programme.agenda import Agenda
from conference.services.programme.publishing import Programme, PublishedSession

PRODID = "-//Conference//Programme//EN"
# Enough of the HMAC to be unguessable (128 bits), short enough to copy.
TOKEN_LENGTH = 32


# --- the private link -----------------------------------------------------------------------------


def feed_token(registration: Registration, *, secret: str) -> str:
    message = f"agenda-feed:{registration.id}:{registration.agenda_feed_version}".encode()
    digest = hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()
    return digest[:TOKEN_LENGTH]


def registration_for_feed(
    event: Event, reference: str, token: str, *, secret: str
) -> Registration | None:
    """The approved registration whose current private link this is; None for any other link."""
    registration = db.session.scalars(
        sa.select(Registration).where(
            Registration.event_id == event.id, Registration.reference == reference
        )
    ).first()
    if registration is None or registration.status != Status.APPROVED:
        return None
    # As bytes: compare_digest refuses str with non-ASCII characters, and a link may carry any.
    if not hmac.compare_digest(feed_token(registration, secret=secret).encode(), token.encode()):
        return None
    return registration


def renew_feed_link(registration: Registration, *, actor: User) -> None:
    """A new private link: the old one stops working at once (e.g. after sharing it by mistake)."""
    if registration.status != Status.APPROVED:
        raise NotAllowed("The calendar link is for delegates with an approved registration.")
    registration.agenda_feed_version += 1
    log_action(
        "registration.agenda_link_renewed",
        registration,
        actor=actor,
        event_id=registration.event_id,
        reference=registration.reference,
        version=registration.agenda_feed_version,
    )


# --- the calendars --------------------------------------------------------------------------------


def _host() -> str:
    return urlsplit(current_app.config["BASE_URL"]).hostname or "localhost"


def _description(programme: Programme, session: PublishedSession) -> str:
    parts = [session.abstract.strip()] if session.abstract.strip() else []
    people = []
    for appearance in session.appearances:
        speaker = programme.speaker(appearance.speaker_id)
        if speaker is None:
            continue
        who = f"{speaker.name}, {speaker.organisation}" if speaker.organisation else speaker.name
        people.append(f"{who} ({appearance.role.label.lower()})")
    if people:
        parts.append("Speakers: " + "; ".join(people))
    return "\n\n".join(parts)


def _location(event: Event, programme: Programme, session: PublishedSession) -> str:
    room = programme.room(session.room_id)
    return ", ".join(part for part in (room.name if room else "", event.venue) if part)


def _calendar_event(
    event: Event, programme: Programme, session: PublishedSession, host: str
) -> CalendarEvent:
    entry = CalendarEvent.new(
        uid=f"session-{session.id}@{host}",
        summary=session.title,
        description=_description(programme, session) or None,
        location=_location(event, programme, session) or None,
        start=programme.local(session.starts_at),
        end=programme.local(session.ends_at),
        stamp=programme.published_at,
        url=absolute_url("public.session", event_slug=event.slug, session_id=session.id),
        categories=[session.kind.label]
        + ([track.name] if (track := programme.track(session.track_id)) else []),
    )
    entry.add("sequence", programme.version)
    return entry


def _calendar(
    event: Event, programme: Programme, sessions: list[PublishedSession], name: str, uid: str
) -> bytes:
    host = _host()
    calendar = Calendar.new(
        prodid=PRODID,
        uid=f"{uid}@{host}",
        name=name,
        description=f"{event.name}, {event.city}",
        subcomponents=[_calendar_event(event, programme, s, host) for s in sessions],
    )
    calendar.add("x-wr-timezone", programme.timezone)
    # The zone's rules around the event only: the feed stays small.
    calendar.add_missing_timezones(
        first_date=date(programme.first_day.year - 1, 1, 1),
        last_date=date(programme.last_day.year + 2, 1, 1),
    )
    return calendar.to_ical()


def programme_calendar(event: Event, programme: Programme) -> bytes:
    """Every session of the published programme."""
    return _calendar(
        event,
        programme,
        list(programme.sessions),
        f"{event.short_name} programme",
        uid=f"programme-{event.id}",
    )


def agenda_calendar(event: Event, registration: Registration, agenda: Agenda) -> bytes:
    """The delegate's agenda: the sessions for everyone and the workshops they have a place in.

    Waiting lists are left out: a calendar shows where the delegate will be.
    """
    return _calendar(
        event,
        agenda.programme,
        agenda.confirmed_sessions(),
        f"{event.short_name}: my agenda",
        uid=f"agenda-{registration.id}",
    )
