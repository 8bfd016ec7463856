"""The registration workflow: submit, edit, cancel, and the organisers' decisions.

Statuses: pending -> approved / waitlisted / rejected, and cancelled by the delegate.
Every status change writes its audit entry and queues the delegate's email in the same
transaction. Approved registrations never exceed the event's capacity: every change that can
take or free a seat first locks the event row (`lock_event`), then counts.
"""

import secrets
from collections.abc import Container
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from conference.extensions import db
from conference.local_time import format_local_time
from conference.models import Event, Registration, User, utcnow
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
from conference.services.mail import phrases
from conference.services.mail.sending import send_email
from conference.services.on_site import visa_letters
from conference.services.privacy import consents, notices
from conference.services.programme import workshops
from conference.services.registration import fields, registration_invitations
from conference.services.registration.fields import RegistrationDetails

REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread at a desk


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


def refuse_a_second_registration(event: Event, user: User) -> None:
    """One active registration per delegate and event: a second is refused, with the words the
    delegate reads on the registration page the refusal sends them to."""
    if registration_for(event, user) is not None:
        raise _already_registered(event)


def _already_registered(event: Event) -> AlreadyRegistered:
    return AlreadyRegistered(f"You have already registered for {event.short_name}.")


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
    zone = event.timezone
    if event.registration_opens_at and now < event.registration_opens_at:
        return f"Registration opens on {format_local_time(event.registration_opens_at, zone)}."
    if event.registration_ends_at == event.ends_at:
        return f"Registration closed when the event ended, on {event.ends_on:%-d %B %Y}."
    return f"Registration closed on {format_local_time(event.registration_ends_at, zone)}."


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


def _cleaned(f: fields.RegistrationField, value):
    if f.kind in fields.TEXT_KINDS:
        return (value or "").strip()
    if f.kind in fields.YES_NO_KINDS:
        return bool(value)
    return value


def apply_details(
    registration: Registration,
    details: RegistrationDetails,
    now: datetime,
    only: tuple[fields.RegistrationField, ...] = fields.FIELDS,
) -> dict[str, list]:
    """Copy the details of the fields `only` names into the registration, text trimmed; a field
    the details leave out is blank. Returns what changed, by field name, as [old, new].

    An organisation is a partner, or else the name typed in. A consent is given or withdrawn
    in the consent table (`consents.record`).
    """
    changes = {}
    for f in only:
        old = f.value_of(registration)
        value = _cleaned(f, details.value(f))
        if f.kind == fields.Kind.ORGANISATION:
            typed = (details.other_organisation(f) or "").strip() or None
            setattr(registration, f.name, value)
            setattr(registration, f"{f.name}_other", None if value else typed)
        elif f.kind == fields.Kind.CONSENT:
            consents.record(registration, f, value, now)
        else:
            setattr(registration, f.name, value)
        new = f.value_of(registration)
        if new != old:
            changes[f.name] = [old, new]
    return changes


def _notify(registration: Registration, key: str, **values) -> None:
    send_email(
        key,
        to=registration.user,
        event=registration.event,
        registration=registration,
        values=values,
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
    A registration that stops being approved gives up its workshop places, its private
    calendar link and its visa invitation letter here.
    """
    from_status = registration.status
    leaves_approval = from_status == Status.APPROVED and to_status != Status.APPROVED
    if leaves_approval:
        workshops.release_places(registration, actor=actor)
        registration.agenda_feed_version += 1  # its calendar link dies, for good
    registration.status = to_status
    if leaves_approval:  # an embassy checking its letter is told it no longer holds
        visa_letters.withdraw_on_leaving_approval(registration, actor=actor, now=now)
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
    if action == "registration.promoted":
        _notify(registration, "registration_promoted")
    elif to_status == Status.REJECTED:
        _notify(
            registration,
            "registration_rejected",
            decision=phrases.rejection(from_status == Status.APPROVED),
            reason=phrases.reason(reason),
        )
    else:
        _notify(registration, f"registration_{to_status}")


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
    notice_read: int | None = None,
) -> Registration:
    """Register a verified delegate, once per event, while registration is open (never once
    the event is over), who has read the event's privacy notice in force (`notice_read` is the
    version they read), when it has one; that version is stored with the registration.

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
            f"{event.short_name} is by invitation only: enter the code from your invitation email.",
            field="invitation_code",
        )
    notice_version = notices.require_read(event, notice_read)
    event = lock_event(event.id)
    refuse_a_second_registration(event, user)
    registration = Registration(
        event=event,
        user=user,
        reference=new_reference(event),
        status=Status.PENDING,
        privacy_notice_version=notice_version,
        privacy_notice_read_at=now if notice_version else None,
    )
    apply_details(registration, details, now)
    try:
        with db.session.begin_nested():  # on failure only this insert is undone
            db.session.add(registration)
            db.session.flush()
    except IntegrityError as error:  # a double-click that slipped past the check above
        raise _already_registered(event) from error
    if invitation_code:
        registration_invitations.redeem(event, invitation_code, registration, now)
    log_action(
        "registration.submitted",
        registration,
        actor=user,
        event_id=event.id,
        reference=registration.reference,
        to_status=str(Status.PENDING),
        privacy_notice_version=notice_version,
        consents=[f.label for f in fields.CONSENTS if f.value_of(registration)],
    )
    _notify(registration, "registration_received", vetting=phrases.vetting(registration.event))
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
    """A delegate changes the registration: every field while it is pending (and not being
    decided); once it is approved, only the fields declared changeable after approval (their
    needs). The audit entry holds each change, old and new value, for the organisers to see.
    """
    _lock_for_change(registration)
    changeable = fields.changeable_now(registration)
    _require_changeable(registration, details, changeable)
    given = tuple(f for f in changeable if details.gives(f))
    changes = apply_details(registration, details, now or utcnow(), only=given)
    if not changes:
        return registration
    log_action(
        "registration.updated" if registration.allows("edit") else "registration.needs_changed",
        registration,
        actor=actor,
        event_id=registration.event_id,
        reference=registration.reference,
        changes=changes,
    )
    return registration


def _require_changeable(
    registration: Registration,
    details: RegistrationDetails,
    changeable: tuple[fields.RegistrationField, ...],
) -> None:
    if not changeable:
        _require(registration, "edit", "changed any more")
    refused = [f for f in fields.FIELDS if details.gives(f) and f not in changeable]
    if refused:
        still = " and ".join(f.label.lower() for f in changeable)
        raise InvalidTransition(
            f"Registration {registration.reference} is {registration.status_label.lower()}: "
            f"only its {still} can still change. Write to the organisers for anything else."
        )


def approve_registration(
    registration: Registration, *, actor: User, now: datetime | None = None
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
    change_status(registration, Status.APPROVED, actor=actor, now=now or utcnow())
    return registration


def reject_registration(
    registration: Registration, *, actor: User, reason: str, now: datetime | None = None
) -> Registration:
    """Reject with a reason the delegate is told; a place it frees goes to the first on the
    waiting list."""
    now = now or utcnow()
    event = _lock_for_change(registration)
    _require(registration, "reject", "rejected")
    was_approved = registration.status == Status.APPROVED
    change_status(registration, Status.REJECTED, actor=actor, now=now, reason=reason.strip())
    if was_approved:
        promote_from_waitlist(event, places=1, now=now)
    return registration


def waitlist_registration(
    registration: Registration, *, actor: User, now: datetime | None = None
) -> Registration:
    _lock_for_change(registration)
    _require(registration, "waitlist", "put on the waiting list")
    change_status(registration, Status.WAITLISTED, actor=actor, now=now or utcnow())
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
        promote_from_waitlist(event, places=1, now=now)
    return registration


def promote_from_waitlist(
    event: Event, *, places: int, now: datetime | None = None
) -> list[Registration]:
    """Give `places` freed places to the first on the waiting list, never past the capacity.

    Only the places a change has just freed are given: the organisers may keep people on the
    waiting list while other places are free, and a freed place does not undo that decision.
    The caller holds the event lock (`lock_event`) in this same transaction.
    """
    now = now or utcnow()
    places = min(places, seats_left(event))
    if places <= 0:
        return []
    waiting = db.session.scalars(
        sa.select(Registration)
        .where(Registration.event_id == event.id, Registration.status == Status.WAITLISTED)
        .order_by(Registration.waitlisted_at, Registration.id)
        .limit(places)
    ).all()
    for registration in waiting:
        change_status(
            registration, Status.APPROVED, actor=None, now=now, action="registration.promoted"
        )
    return list(waiting)
