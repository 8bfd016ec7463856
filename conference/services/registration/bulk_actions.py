"""Decisions and tags for many registrations at once: a selection, or a whole filter.

Each run locks the event (as every seat change does), re-reads its registrations, and reports
what it did to each. A run carries a one-time `batch` token from the form that started it: sent
twice (a double click, a replayed request), it does its work once.
"""

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa

from conference.extensions import db
from conference.models import AuditEntry, Event, Registration, User, utcnow
from conference.models import RegistrationStatus as Status
from conference.services.audit.writing import log_action
from conference.services.errors import AlreadyDone, NotAllowed
from conference.services.registration import tags, workflow
from conference.services.registration.listing import RegistrationFilter, registrations_query
from conference.services.text import counted


@dataclass
class BulkOutcome:
    """What a bulk action did, registration by registration (references)."""

    action: str
    done: list[str] = field(default_factory=list)
    waitlisted: list[str] = field(default_factory=list)  # bulk approval: no place was left
    promoted: list[str] = field(default_factory=list)  # a freed place went to the waiting list
    skipped: dict[str, list[str]] = field(default_factory=dict)  # why -> references

    def skip(self, registration: Registration, why: str) -> None:
        self.skipped.setdefault(why, []).append(registration.reference)

    @property
    def summary(self) -> str:
        verb = {
            "approve": "Approved",
            "waitlist": "Put on the waiting list",
            "reject": "Rejected",
            "tag": "Tagged",
            "untag": "Took the tag off",
        }[self.action]
        parts = [f"{verb} {counted(len(self.done), 'registration')}."]
        if self.waitlisted:
            parts.append(
                f"No place was left for {counted(len(self.waitlisted), 'registration')}: "
                "now on the waiting list, in order of sign-up."
            )
        if self.promoted:
            parts.append(
                f"{counted(len(self.promoted), 'registration')} moved up from the waiting list."
            )
        for why, references in self.skipped.items():
            parts.append(f"Left alone {counted(len(references), 'registration')} ({why}).")
        return " ".join(parts)


def _selection(
    event: Event, filters: RegistrationFilter, references: list[str] | None
) -> list[Registration]:
    """The registrations to act on, in order of sign-up, read afresh under the event lock.

    `references` None means everything the filter matches; otherwise the ticked ones, and only
    those the filter still matches (nothing outside what the organiser was looking at).
    """
    query = registrations_query(event, filters, sort="registered").execution_options(
        populate_existing=True
    )
    if references is None:
        return db.session.scalars(query).unique().all()
    wanted = sorted({reference.upper() for reference in references})
    found: list[Registration] = []
    for start in range(0, len(wanted), 500):
        found += db.session.scalars(
            query.where(Registration.reference.in_(wanted[start : start + 500]))
        ).unique()
    return sorted(found, key=lambda registration: (registration.created_at, registration.id))


def _claim_batch(event: Event, batch: str, action: str, actor: User, now: datetime) -> None:
    """Refuse a batch that ran before; record this one. The caller holds the event lock."""
    ran = db.session.scalar(
        sa.select(AuditEntry.id).where(
            AuditEntry.event_id == event.id,
            AuditEntry.action.startswith("registration.bulk_"),
            AuditEntry.details["batch"].as_string() == batch,
        )
    )
    if ran is not None:
        raise AlreadyDone("That bulk action was done already; nothing was done twice.")
    log_action(f"registration.bulk_{action}", event, actor=actor, event_id=event.id, batch=batch)


def run_bulk_action(
    event: Event,
    action: str,
    *,
    actor: User,
    batch: str,
    filters: RegistrationFilter | None = None,
    references: list[str] | None = None,
    reason: str = "",
    tag_id: int | None = None,
    now: datetime | None = None,
) -> BulkOutcome:
    """Do `action` ("approve", "waitlist", "reject", "tag", "untag") to the selection.

    A message to many registrations is no bulk action: `services.mail.messages` sends it, to
    a group chosen with the same filter.

    Approval fills the places left in order of sign-up and puts the rest on the waiting list;
    a rejection gives each place it frees to the next on the waiting list, and no more.
    Registrations the action does not apply to (say, a cancelled one) are left alone and counted.
    """
    now = now or utcnow()
    event = workflow.lock_event(event.id)
    _claim_batch(event, batch, action, actor, now)
    selection = _selection(event, filters or RegistrationFilter(), references)
    outcome = BulkOutcome(action)
    if action == "approve":
        _approve(event, selection, actor, now, outcome)
    elif action == "waitlist":
        _decide(selection, "waitlist", Status.WAITLISTED, actor, now, outcome)
    elif action == "reject":
        approved = {r.id for r in selection if r.status == Status.APPROVED}
        _decide(selection, "reject", Status.REJECTED, actor, now, outcome, reason.strip())
        freed = sum(r.id in approved and r.status == Status.REJECTED for r in selection)
        outcome.promoted = [
            registration.reference
            for registration in workflow.promote_from_waitlist(event, places=freed, now=now)
        ]
    elif action in ("tag", "untag"):
        tag = tags.tag_by_id(event, tag_id) if tag_id is not None else None
        if tag is None:
            raise NotAllowed("That tag is not one of this event's tags.")
        change = tags.add_tag if action == "tag" else tags.remove_tag
        changed = change(tag, selection, actor=actor)
        outcome.done = [registration.reference for registration in changed]
        unchanged = {registration.id for registration in changed}
        why = "had the tag already" if action == "tag" else "did not have the tag"
        for registration in selection:
            if registration.id not in unchanged:
                outcome.skip(registration, why)
    else:
        raise ValueError(f"unknown bulk action {action!r}")
    return outcome


def _approve(event, selection, organiser, now, outcome: BulkOutcome) -> None:
    free = workflow.seats_left(event)
    for registration in selection:
        if registration.status == Status.APPROVED:
            outcome.skip(registration, "approved already")
        elif not registration.allows("approve"):
            outcome.skip(registration, registration.status_label.lower())
        elif free > 0:
            workflow.change_status(registration, Status.APPROVED, actor=organiser, now=now)
            outcome.done.append(registration.reference)
            free -= 1
        elif registration.status == Status.WAITLISTED:
            outcome.skip(registration, "no place left, still on the waiting list")
        else:
            workflow.change_status(registration, Status.WAITLISTED, actor=organiser, now=now)
            outcome.waitlisted.append(registration.reference)


def _decide(selection, change, to_status, organiser, now, outcome, reason=None) -> None:
    for registration in selection:
        if registration.status == to_status:
            outcome.skip(registration, f"{registration.status_label.lower()} already")
        elif not registration.allows(change):
            outcome.skip(registration, registration.status_label.lower())
        else:
            workflow.change_status(registration, to_status, actor=organiser, now=now, reason=reason)
            outcome.done.append(registration.reference)
