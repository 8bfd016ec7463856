"""A delegate erases their account: everything about them goes, in one transaction, and what
stays (their registrations, for the events' statistics; the audit log's entries) names only a
pseudonym."""

from datetime import datetime

import sqlalchemy as sa

from conference.extensions import db
from conference.models import AuditEntry, Event, User, utcnow
from conference.services.audit.writing import log_action
from conference.services.errors import DomainError
from conference.services.locks import lock_event
from conference.services.people.accounts import check_password
from conference.services.people.team import is_last_organiser
from conference.services.privacy.anonymisation import (
    Erasure,
    anonymise_account,
    anonymise_registration,
    new_pseudonym,
)
from conference.services.registration import workflow


class LastOrganiser(DomainError):
    """An event would be left without anyone who can run it."""


def _addresses_of(user: User) -> set[str]:
    """Every address the account has had: mail went to each of them."""
    earlier = db.session.scalars(
        sa.select(AuditEntry.details).where(
            AuditEntry.object_type == "user",
            AuditEntry.object_id == user.id,
            AuditEntry.action == "user.changed_email",
        )
    )
    previous = {details.get("previous_email") for details in earlier}
    return {user.email, user.pending_email, *previous} - {None, ""}


def _refuse_if_last_organiser(user: User) -> None:
    for member in user.team_roles:
        lock_event(member.event_id)
        if is_last_organiser(member):
            event = db.session.get(Event, member.event_id)
            raise LastOrganiser(
                f"You are the last organiser of {event.short_name}: make someone else an "
                "organiser of it on its Team page first, then erase your account."
            )


def erase_account(user: User, password: str, now: datetime | None = None) -> str:
    """Erase `user`, proven by their password; returns the pseudonym they are known by now.

    Never the last organiser of an event. A registration for an event still to come is
    cancelled first (its place goes to the first on the waiting list), then every registration
    is anonymised like the retention purge's, and the account with it.
    """
    now = now or utcnow()
    check_password(user, password, "password")
    _refuse_if_last_organiser(user)
    registrations = workflow.registrations_of(user)
    for registration in registrations:
        if registration.allows("cancel") and registration.event.ends_at > now:
            workflow.cancel_registration(registration, actor=user, now=now)
    addresses = _addresses_of(user)
    erasure = Erasure(new_pseudonym(), holder_id=user.id, now=now)
    for registration in registrations:
        anonymise_registration(registration, erasure)
        # The organisers' log tells them, without naming anyone.
        log_action(
            "registration.anonymised",
            registration,
            actor=None,
            event_id=registration.event_id,
            at=now,
            because="account erased",
        )
    anonymise_account(user, addresses, erasure)
    log_action(
        "user.erased",
        user,
        actor=user,
        at=now,
        pseudonym=erasure.pseudonym.name,
        registrations=len(registrations),
    )
    return erasure.pseudonym.name
