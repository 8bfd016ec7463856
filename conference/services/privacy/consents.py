"""A delegate's consents: each separate, never given unless they tick it, withdrawn as easily.

A consent is stored with the version of its question (`RegistrationField.version`) and the time
it was given; a withdrawal keeps the row with the time of the withdrawal, and counts at once
(the directory reads the consents on every request).
"""

from datetime import datetime

from conference.models import Consent, Registration, User, utcnow
from conference.services.audit.writing import log_action
from conference.services.registration import fields
from conference.services.registration.fields import RegistrationField


def record(registration: Registration, f: RegistrationField, given: bool, now: datetime) -> bool:
    """Give or withdraw the consent `f` asks for; returns whether it changed."""
    consent = registration.consent_to(f.purpose)
    if given == (consent is not None and consent.is_given):
        return False
    if given and consent is None:
        registration.consents.append(Consent(purpose=f.purpose, version=f.version, given_at=now))
    elif given:
        consent.version, consent.given_at, consent.withdrawn_at = f.version, now, None
    else:
        consent.withdrawn_at = now
    return True


def change_consent(
    registration: Registration,
    f: RegistrationField,
    given: bool,
    *,
    actor: User,
    now: datetime | None = None,
) -> bool:
    """The delegate gives or withdraws one consent, whatever the registration's status,
    approved included; audited. Returns whether it changed (a second click changes nothing)."""
    if f not in fields.CONSENTS:
        raise ValueError(f"{f.name} is not a consent")
    if not record(registration, f, given, now or utcnow()):
        return False
    log_action(
        "registration.consent_given" if given else "registration.consent_withdrawn",
        registration,
        actor=actor,
        event_id=registration.event_id,
        reference=registration.reference,
        consent=f.label,
        version=f.version,
    )
    return True
