"""The registration workflow: submit, edit, cancel, and the organisers' decisions.

Statuses: pending -> approved / waitlisted / rejected, and cancelled by the delegate.
Every status change writes its audit entry and queues the delegate's email in the same
transaction. Approved registrations never exceed the event's capacity: every change that can
take or free a seat first locks the event row (`lock_event`), then counts.
"""

import secrets
from collections.abc import Container
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from conference.extensions import db
from conference.models import Event, Organisation, Registration, User, utcnow
from conference.models import RegistrationStatus as Status
from conference.services.audit.writing import log_action
from conference.services.errors import (
    AlreadyRegistered,
    CapacityReached,
    InvalidTransition,
    InvitationRequired,
    NotAllowed,
    RegistrationClosed,
)
from conference.services.locks import lock_event
from conference.services.mail.outbox import absolute_url, queue_email
from conference.services.programme import workshops
from conference.services.registration import registration_invitations

# The wording of the consent the delegate gives; stored with each registration.
CONSENT_VERSION = "2014-11"
REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread at a desk


@dataclass(frozen=True)
class RegistrationDetails:
    """What the delegate tells us on the registration form."""

    organisation: Organisation | None
    organisation_other: str | None
    country: str
    job_title: str
    dietary_needs: str = ""
    accessibility_needs: str = ""
    invitation_letter_needed: bool = False
    consent_participant_list: bool = False


def approved_count(event_id: int) -> int:
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Registration)
        .where(Registration.event_id == event_id, Registration.status == Status.APPROVED)
    )


def seats_left(event: Event, approved: int | None = None) -> int:
    """Places still free; `approved` saves the count when the caller has it already."""
    if approved is None:
        approved = approved_count(event.id)
    return max(event.capacity - approved, 0)


def registration_for(event: Event, user: User) -> Registration | None:
    """The delegate's active registration for the event, if any."""
    return db.session.scalars(
        sa.select(Registration).where(
            Registration.event_id == event.id,
            Registration.user_id == user.id,
            Registration.status != Status.CANCELLED,
        )
    ).first()


def registrations_of(user: User) -> list[Registration]:
    """The user's registrations for every event, newest first."""
    return db.session.scalars(
        sa.select(Registration)
        .where(Registration.user_id == user.id)
        .order_by(Registration.created_at.desc(), Registration.id.desc())
    ).all()


def registration_window_notice(event: Event, now: datetime | None = None) -> str | None:
    """What the registration form and the event page say outside the registration window;
    None inside it. Registration closes by itself once the event is over."""
    now = now or utcnow()
    if event.registration_open_at(now):
        return None
    zone = ZoneInfo(event.timezone)
    if event.registration_opens_at and now < event.registration_opens_at:
        opens = event.registration_opens_at.astimezone(zone)
        return f"Registration opens on {opens:%-d %B %Y at %H:%M} ({event.timezone} time)."
    if event.registration_ends_at == event.ends_at:
        return f"Registration closed when the event ended, on {event.ends_on:%-d %B %Y}."
    closed = event.registration_ends_at.astimezone(zone)
    return f"Registration closed on {closed:%-d %B %Y at %H:%M} ({event.timezone} time)."


def new_reference(event: Event, also_taken: Container[str] = frozenset()) -> str:
    """A reference no registration has: not in the database, nor in `also_taken` (those of a
    batch being made, not flushed yet)."""
    while True:
        code = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(6))
        reference = f"{event.reference_prefix}-{code}"
        if reference in also_taken:
            continue
        taken = db.session.scalar(
            sa.select(Registration.id).where(Registration.reference == reference)
        )
        if taken is None:
            return reference


def _apply_details(
    registration: Registration, details: RegistrationDetails, now: datetime
) -> dict[str, bool]:
    """Copy the form's details in; returns the consent change, if any, for the audit entry."""
    consent_changed = registration.consent_participant_list != details.consent_participant_list
    registration.organisation = details.organisation
    registration.organisation_other = (
        None if details.organisation else (details.organisation_other or "").strip() or None
    )
    registration.country = details.country
    registration.job_title = details.job_title.strip()
    registration.dietary_needs = details.dietary_needs.strip()
    registration.accessibility_needs = details.accessibility_needs.strip()
    registration.invitation_letter_needed = details.invitation_letter_needed
    if consent_changed or registration.consent_version is None:
        registration.consent_participant_list = details.consent_participant_list
        registration.consent_version = CONSENT_VERSION
        registration.consent_given_at = now if details.consent_participant_list else None
        return {"consent_participant_list": details.consent_participant_list}
    return {}


def _notify(registration: Registration, template: str, **context) -> None:
    queue_email(
        registration.user.email,
        template,
        registration=registration,
        event=registration.event,
        link=absolute_url("delegate.registration", event_slug=registration.event.slug),
        **context,
    )


def change_status(
    registration: Registration,
    to_status: Status,
    *,
    actor: User | None,
    now: datetime,
    reason: str | None = None,
    action: str | None = None,
) -> None:
    """The one place a status changes: the fields, the audit entry and the delegate's email.

    The caller has checked that the change is allowed and holds the event lock (`lock_event`).
    A registration that stops being approved gives up its workshop places and its private
    calendar link here.
    """
    from_status = registration.status
    if from_status == Status.APPROVED and to_status != Status.APPROVED:
        workshops.release_places(registration, actor=actor)
        registration.agenda_feed_version += 1  # its calendar link dies, for good
    registration.status = to_status
    if to_status in {Status.APPROVED, Status.REJECTED, Status.WAITLISTED}:
        registration.decided_by = actor
        registration.decided_at = now
        registration.decision_reason = reason
    if to_status == Status.WAITLISTED:
        registration.waitlisted_at = now
    if to_status == Status.CANCELLED:
        registration.cancelled_at = now
    log_action(
        action or f"registration.{to_status}",
        registration,
        actor=actor,
        event_id=registration.event_id,
        reference=registration.reference,
        from_status=str(from_status),
        to_status=str(to_status),
        **({"reason": reason} if reason else {}),
    )
    _notify(
        registration,
        f"registration_{to_status}",
        reason=reason,
        promoted=action == "registration.promoted",
        was_approved=from_status == Status.APPROVED,
    )


def _require(registration: Registration, change: str, verb: str) -> None:
    if not registration.allows(change):
        raise InvalidTransition(
            f"Registration {registration.reference} is {registration.status_label.lower()} "
            f"and cannot be {verb}."
        )


def _lock_for_change(registration: Registration) -> Event:
    """Lock the event, then re-read the registration: another request may have decided it."""
    event = lock_event(registration.event_id)
    db.session.refresh(registration)
    return event


def submit_registration(
    event: Event,
    user: User,
    details: RegistrationDetails,
    now: datetime | None = None,
    *,
    invitation_code: str | None = None,
) -> Registration:
    """Register a verified delegate, once per event, while registration is open (never once
    the event is over).

    An event that is by invitation only needs an unused invitation code; a code given for any
    event is used up by this registration. With approval required the registration waits for
    an organiser; otherwise it is approved while seats are left and waitlisted after that.
    """
    now = now or utcnow()
    if not user.is_verified:
        raise NotAllowed("Please verify your email address before you register.")
    if not event.registration_open_at(now):
        raise RegistrationClosed(registration_window_notice(event, now))
    if event.invitation_only and not invitation_code:
        raise InvitationRequired(
            f"{event.short_name} is by invitation only: enter the code from your invitation email."
        )
    event = lock_event(event.id)
    if registration_for(event, user) is not None:
        raise AlreadyRegistered(f"You have already registered for {event.short_name}.")
    registration = Registration(
        event=event,
        user=user,
        reference=new_reference(event),
        status=Status.PENDING,
    )
    consent = _apply_details(registration, details, now)
    try:
        with db.session.begin_nested():  # on failure only this insert is undone
            db.session.add(registration)
            db.session.flush()
    except IntegrityError as error:  # a double-click that slipped past the check above
        raise AlreadyRegistered(f"You have already registered for {event.short_name}.") from error
    if invitation_code:
        registration_invitations.redeem(event, invitation_code, registration, now)
    log_action(
        "registration.submitted",
        registration,
        actor=user,
        event_id=event.id,
        reference=registration.reference,
        to_status=str(Status.PENDING),
        **consent,
    )
    _notify(registration, "registration_received")
    if not event.approval_required:
        to_status = Status.APPROVED if seats_left(event) > 0 else Status.WAITLISTED
        change_status(
            registration, to_status, actor=None, now=now, action="registration.auto_decided"
        )
    return registration


def update_registration(
    registration: Registration,
    details: RegistrationDetails,
    *,
    actor: User,
    now: datetime | None = None,
) -> Registration:
    """A delegate edits the registration while it is still pending (and not being decided)."""
    _lock_for_change(registration)
    _require(registration, "edit", "changed any more")
    consent = _apply_details(registration, details, now or utcnow())
    log_action(
        "registration.updated",
        registration,
        actor=actor,
        event_id=registration.event_id,
        reference=registration.reference,
        **consent,
    )
    return registration


def approve_registration(
    registration: Registration, *, organiser: User, now: datetime | None = None
) -> Registration:
    """Approve, within the capacity: approving past it is refused."""
    event = _lock_for_change(registration)
    _require(registration, "approve", "approved")
    taken = approved_count(event.id)
    if taken >= event.capacity:
        raise CapacityReached(
            f"{event.short_name} is full: {taken} of {event.capacity} places are approved. "
            "Put this registration on the waiting list, or free a place first."
        )
    change_status(registration, Status.APPROVED, actor=organiser, now=now or utcnow())
    return registration


def reject_registration(
    registration: Registration, *, organiser: User, reason: str, now: datetime | None = None
) -> Registration:
    """Reject with a reason the delegate is told; a freed place goes to the waiting list."""
    now = now or utcnow()
    event = _lock_for_change(registration)
    _require(registration, "reject", "rejected")
    was_approved = registration.status == Status.APPROVED
    change_status(registration, Status.REJECTED, actor=organiser, now=now, reason=reason.strip())
    if was_approved:
        promote_from_waitlist(event, now=now)
    return registration


def waitlist_registration(
    registration: Registration, *, organiser: User, now: datetime | None = None
) -> Registration:
    _lock_for_change(registration)
    _require(registration, "waitlist", "put on the waiting list")
    change_status(registration, Status.WAITLISTED, actor=organiser, now=now or utcnow())
    return registration


def cancel_registration(
    registration: Registration, *, actor: User, now: datetime | None = None
) -> Registration:
    """The delegate withdraws; a freed place goes to the first on the waiting list."""
    now = now or utcnow()
    event = _lock_for_change(registration)
    _require(registration, "cancel", "cancelled")
    was_approved = registration.status == Status.APPROVED
    change_status(registration, Status.CANCELLED, actor=actor, now=now)
    if was_approved:
        promote_from_waitlist(event, now=now)
    return registration


def promote_from_waitlist(event: Event, *, now: datetime | None = None) -> list[Registration]:
    """Fill free places from the waiting list, first come first served.

    The caller holds the event lock (`lock_event`) in this same transaction.
    """
    now = now or utcnow()
    free = seats_left(event)
    if free <= 0:
        return []
    waiting = db.session.scalars(
        sa.select(Registration)
        .where(Registration.event_id == event.id, Registration.status == Status.WAITLISTED)
        .order_by(Registration.waitlisted_at, Registration.id)
        .limit(free)
    ).all()
    for registration in waiting:
        change_status(
            registration, Status.APPROVED, actor=None, now=now, action="registration.promoted"
        )
    return list(waiting)
