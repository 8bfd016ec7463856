"""The one way a service sends an email of the catalogue: in the recipient's language, in the
event's own words (or the default), with the values filled in, into the outbox.

Account emails (verification, password reset, sign-up with a known address, a change of
address, the log-in alarm, a changed password) have no event of their own. They use the words
of `account_event`:
1. the event of the page the person was going to when they signed up or logged in (`next`);
2. else the event of their latest registration or team role, whichever is newer;
3. else the next event that has not ended yet (the one a newcomer most likely signs up for);
4. else the default words.
"""

from collections.abc import Mapping
from datetime import date
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RoutingException

from conference.extensions import db
from conference.models import (
    EMAIL_LANGUAGES,
    Event,
    OutboxEmail,
    Registration,
    TeamMember,
    User,
)
from conference.services.mail import outbox
from conference.services.mail.catalogue import KINDS
from conference.services.mail.email_templates import template_for
from conference.services.mail.phrases import Words
from conference.services.mail.placeholders import (
    REGISTRATION_PLACEHOLDERS,
    event_values,
    registration_values,
)
from conference.services.mail.rendering import RenderedEmail, render_email

DEFAULT_LANGUAGE = "en"
REGISTRATION_NAMES = frozenset(placeholder.name for placeholder in REGISTRATION_PLACEHOLDERS)


def language_of(to: User | str) -> str:
    """The language an email to `to` is written in: the account's choice; for an address, the
    choice of the account it belongs to, if any; else English."""
    if isinstance(to, str):
        to = db.session.scalars(sa.select(User).where(User.email == to.strip().lower())).first()
    locale = to.locale if to is not None else None
    return locale if locale in EMAIL_LANGUAGES else DEFAULT_LANGUAGE


def _event_of_path(next_url: str | None) -> Event | None:
    if not next_url:
        return None
    path = urlsplit(next_url).path
    try:
        _, arguments = current_app.url_map.bind("localhost").match(path, method="GET")
    except (HTTPException, RoutingException):
        return None
    slug = arguments.get("event_slug")
    if slug is None:
        return None
    return db.session.scalars(sa.select(Event).where(Event.slug == slug)).first()


def _latest_event_of(user: User) -> Event | None:
    registered = sa.select(Registration.event_id, Registration.created_at.label("since")).where(
        Registration.user_id == user.id
    )
    in_team = sa.select(TeamMember.event_id, TeamMember.created_at.label("since")).where(
        TeamMember.user_id == user.id
    )
    both = sa.union_all(registered, in_team).subquery()
    event_id = db.session.scalars(
        sa.select(both.c.event_id).order_by(both.c.since.desc()).limit(1)
    ).first()
    return db.session.get(Event, event_id) if event_id is not None else None


def account_event(
    user: User | None, next_url: str | None = None, today: date | None = None
) -> Event | None:
    """The event whose words an account email uses (the rule is in the module's docstring)."""
    event = _event_of_path(next_url)
    if event is None and user is not None and user.id is not None:
        event = _latest_event_of(user)
    if event is None:
        event = db.session.scalars(
            sa.select(Event)
            .where(Event.ends_on >= (today or date.today()))
            .order_by(Event.starts_on, Event.id)
            .limit(1)
        ).first()
    return event


def values_for(
    language: str,
    *,
    event: Event | None,
    registration: Registration | None,
    values: Mapping[str, str | Words],
) -> dict[str, str]:
    """Every placeholder's value for one email: the registration's (or the event's), the site's
    name, and the caller's own, each in `language` when it is written in each."""
    filled = {"site_name": current_app.config["SITE_NAME"]}
    if registration is not None:
        filled |= registration_values(registration, language)
    elif event is not None:
        filled |= event_values(event, language)
    for name, value in values.items():
        filled[name] = value[language] if isinstance(value, Mapping) else str(value)
    return filled


def render(
    key: str,
    language: str,
    *,
    event: Event | None,
    registration: Registration | None = None,
    values: Mapping[str, str | Words] = {},  # noqa: B006 (read, never changed)
) -> RenderedEmail:
    """The email `key` as it would be sent in `language` for `event`."""
    subject, body = template_for(event, KINDS[key].key, language)
    filled = values_for(language, event=event, registration=registration, values=values)
    return render_email(subject, body, filled, language)


def send_email(
    key: str,
    *,
    to: User | str,
    event: Event | None,
    values: Mapping[str, str | Words] = {},  # noqa: B006 (read, never changed)
    registration: Registration | None = None,
    language: str | None = None,
    into: Session | None = None,
) -> OutboxEmail:
    """Queue the email `key` of the catalogue to `to` (an account, or an address), in the
    caller's transaction (or the session `into`): in `language` if given, else the recipient's;
    in `event`'s own words for it, or the default."""
    language = language if language in EMAIL_LANGUAGES else language_of(to)
    rendered = render(key, language, event=event, registration=registration, values=values)
    user = to if isinstance(to, User) else (registration.user if registration else None)
    return outbox.queue(
        to.email if isinstance(to, User) else to,
        rendered,
        kind=key,
        event=event,
        user=user,
        registration=registration,
        into=into,
    )
