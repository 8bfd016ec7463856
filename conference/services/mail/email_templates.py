"""Each event's own words for the emails of the catalogue, falling back on the defaults."""

import sqlalchemy as sa

from conference.extensions import db
from conference.models import EmailTemplate, Event
from conference.services.mail.catalogue import default_text


def template_for(event: Event | None, key: str, language: str) -> tuple[str, str]:
    """The (subject, body) the email `key` is sent with in `language`: the event's own words if
    its organisers wrote some, else the default."""
    if event is not None:
        saved = db.session.scalars(
            sa.select(EmailTemplate).where(
                EmailTemplate.event_id == event.id,
                EmailTemplate.kind == key,
                EmailTemplate.language == language,
            )
        ).first()
        if saved is not None:
            return saved.subject, saved.body
    return default_text(key, language)
