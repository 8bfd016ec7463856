"""Each event's own words for the emails of the catalogue, falling back on the defaults: reading
them, and the organisers' editor (save, back to the default, preview)."""

from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app

from conference.extensions import db
from conference.models import EMAIL_LANGUAGES, EmailTemplate, Event, Registration, User, utcnow
from conference.models import RegistrationStatus as Status
from conference.services.audit.writing import log_action
from conference.services.errors import NotFound
from conference.services.links import absolute_url
from conference.services.mail.catalogue import KINDS, EmailKind, default_text
from conference.services.mail.rendering import RenderedEmail, check_email_text


def _saved(event: Event, key: str, language: str) -> EmailTemplate | None:
    return db.session.scalars(
        sa.select(EmailTemplate).where(
            EmailTemplate.event_id == event.id,
            EmailTemplate.kind == key,
            EmailTemplate.language == language,
        )
    ).first()


def template_for(event: Event | None, key: str, language: str) -> tuple[str, str]:
    """The (subject, body) the email `key` is sent with in `language`: the event's own words if
    its organisers wrote some, else the default."""
    saved = _saved(event, key, language) if event is not None else None
    if saved is not None:
        return saved.subject, saved.body
    return default_text(key, language)


def email_kind(key: str, language: str) -> EmailKind:
    """The email `key` of the catalogue, in a language we write in; else NotFound."""
    if key not in KINDS or language not in EMAIL_LANGUAGES:
        raise NotFound("There is no such email.")
    return KINDS[key]


@dataclass(frozen=True)
class EmailWording:
    """One email of the catalogue as an event sends it: per language, its saved words (None:
    the default)."""

    kind: EmailKind
    saved: dict[str, EmailTemplate | None]


def wordings_of(event: Event) -> list[EmailWording]:
    """Every email of the catalogue, in its order, with the event's own words where it has
    some: one query."""
    rows = db.session.scalars(
        sa.select(EmailTemplate)
        .where(EmailTemplate.event_id == event.id)
        .options(sa.orm.joinedload(EmailTemplate.updated_by))
    ).all()
    saved = {(row.kind, row.language): row for row in rows}
    return [
        EmailWording(kind, {language: saved.get((key, language)) for language in EMAIL_LANGUAGES})
        for key, kind in KINDS.items()
    ]


def saved_template(event: Event, key: str, language: str) -> EmailTemplate | None:
    email_kind(key, language)
    return _saved(event, key, language)


def save_template(
    event: Event, key: str, language: str, subject: str, body: str, *, actor: User
) -> EmailTemplate:
    """The event's own words for one email in one language, checked first: only the
    placeholders the email offers, a subject on one line (`check_email_text`). Words the same
    as the default are saved all the same: the organisers chose them."""
    kind = email_kind(key, language)
    body = body.replace("\r\n", "\n")
    check_email_text(subject, body, kind.placeholders)
    subject = subject.strip()
    template = _saved(event, key, language)
    if template is None:
        template = EmailTemplate(event_id=event.id, kind=key, language=language)
        db.session.add(template)
    template.subject, template.body = subject, body.strip() + "\n"
    template.updated_by_id, template.updated_at = actor.id, utcnow()
    db.session.flush()
    log_action(
        "email_template.saved", event, actor=actor, event_id=event.id, kind=key, language=language
    )
    return template


def reset_template(event: Event, key: str, language: str, *, actor: User) -> bool:
    """Back to the default words: the event's own are deleted. False if it had none."""
    email_kind(key, language)
    template = _saved(event, key, language)
    if template is None:
        return False
    db.session.delete(template)
    log_action(
        "email_template.reset", event, actor=actor, event_id=event.id, kind=key, language=language
    )
    return True


# --- the preview --------------------------------------------------------------------------------

# What the preview fills in for the values only a real sending knows (a workshop, a reason, a
# link with a fresh token), and for a registration when the event has none yet.
SAMPLE_VALUES: dict[str, str | dict[str, str]] = {
    "name": "Anna de Vries",
    "organisation": "Dutch National Police",
    "country": {"en": "Netherlands", "nl": "Nederland"},
    "status": {"en": "approved", "nl": "goedgekeurd"},
    "workshop": "Identifying victims in seized material",
    "when": {"en": "5 Nov 2014, 13:30–15:00 CET", "nl": "5 nov 2014, 13:30–15:00 CET"},
    "decision": {
        "en": "could not accept your registration",
        "nl": "hebben uw registratie niet kunnen accepteren",
    },
    "reason": {
        "en": "The reason: the conference is for law enforcement and its partners only.",
        "nl": "De reden: de conferentie is alleen voor politie en haar partners.",
    },
    "vetting": {
        "en": "The organisers vet every registration. We will write to you again once yours is "
        "decided.",
        "nl": "De organisatoren beoordelen elke registratie. Wij schrijven u opnieuw zodra over "
        "de uwe is beslist.",
    },
    "password_step": {
        "en": "To see or change your registration, first choose a password for your account "
        "here: {base}/account/reset",
        "nl": "Kies eerst hier een wachtwoord voor uw account, dan kunt u uw registratie "
        "bekijken of wijzigen: {base}/account/reset",
    },
    "code": "K7Q3-XA9P",
    "hours": "48",
    "minutes": "60",
    "invited_by": "Ruud Bik",
    "role": {"en": "moderator", "nl": "moderator"},
    "expires": {"en": "12 Oct 2014, 10:30 CEST", "nl": "12 okt 2014, 10:30 CEST"},
    "new_email": "anna.devries@politie.example",
    "letter_reference": "VGT14-7K3QXA-L1",
}


def preview_registrations(event: Event, limit: int = 50) -> list[Registration]:
    """The registrations a preview can show, the approved first, then the newest."""
    return db.session.scalars(
        sa.select(Registration)
        .where(Registration.event_id == event.id, Registration.anonymised_at.is_(None))
        .options(sa.orm.joinedload(Registration.user))
        .order_by(
            sa.case((Registration.status == Status.APPROVED, 0), else_=1),
            Registration.created_at.desc(),
            Registration.id.desc(),
        )
        .limit(limit)
    ).all()


def _sample(event: Event, language: str) -> dict[str, str]:
    base_url = current_app.config["BASE_URL"]
    registration_link = absolute_url("delegate.registration", event_slug=event.slug)
    return {
        **{
            name: (value[language] if isinstance(value, dict) else value).replace(
                "{base}", base_url
            )
            for name, value in SAMPLE_VALUES.items()
        },
        "reference": f"{event.reference_prefix}-7K3QXA",
        "registration_link": registration_link,
        "agenda_link": absolute_url("delegate.agenda", event_slug=event.slug),
        "link": registration_link,
        "login_link": absolute_url("accounts.login"),
        "reset_link": absolute_url("accounts.request_password_reset"),
        "signup_link": absolute_url("accounts.signup"),
        "account_link": absolute_url("accounts.home"),
    }


def preview(
    event: Event,
    key: str,
    language: str,
    subject: str,
    body: str,
    registration: Registration | None,
) -> RenderedEmail:
    """`subject` and `body` as the email `key` would be sent, checked as when saved, with
    `registration`'s data (one of the event's), and sample values for the rest."""
    from conference.services.mail import sending  # which reads this module's template_for

    kind = email_kind(key, language)
    check_email_text(subject, body.replace("\r\n", "\n"), kind.placeholders)
    if registration is not None and registration.event_id != event.id:
        raise NotFound("There is no such registration.")
    values = sending.values_for(
        language,
        event=event,
        registration=registration,
        values={
            name: value
            for name, value in _sample(event, language).items()
            if registration is None or name not in sending.REGISTRATION_NAMES
        },
    )
    return sending.render_email(subject, body, values, language)
