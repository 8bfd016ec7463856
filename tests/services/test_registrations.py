"""The registration workflow, without HTTP."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from conference.extensions import db
from conference.models import AuditEntry, OutboxEmail, Registration, utcnow
from conference.models import RegistrationStatus as Status
from conference.services.errors import (
    AlreadyRegistered,
    CapacityReached,
    InvalidTransition,
    NotAllowed,
    RegistrationClosed,
)
from conference.services.registration import workflow
from conference.services.registration.fields import RegistrationDetails
from tests.factories import (
    details,
    make_event,
    make_organiser,
    make_user,
    register,
    while_registration_is_open,
)


def emails_to(address: str) -> list[OutboxEmail]:
    return db.session.scalars(
        sa.select(OutboxEmail).where(OutboxEmail.recipient == address).order_by(OutboxEmail.id)
    ).all()


def audit_actions(registration: Registration) -> list[str]:
    return db.session.scalars(
        sa.select(AuditEntry.action)
        .where(AuditEntry.object_type == "registration", AuditEntry.object_id == registration.id)
        .order_by(AuditEntry.id)
    ).all()


@pytest.fixture
def organiser(event):
    return make_organiser(event)


def test_a_registration_starts_pending_with_a_friendly_reference(event):
    registration = register(event, "anna@police.example")
    assert registration.status == Status.PENDING
    prefix, code = registration.reference.split("-")
    assert prefix == "VGT14"
    assert len(code) == 6 and not set(code) & set("01IO")


def test_submitting_queues_the_received_email_and_writes_the_audit_entry(event):
    registration = register(event, "anna@police.example")
    [email] = emails_to("anna@police.example")
    assert registration.reference in email.subject
    assert "received" in email.subject
    assert audit_actions(registration) == ["registration.submitted"]


def test_a_delegate_registers_once_per_event(event):
    registration = register(event, "anna@police.example")
    with pytest.raises(AlreadyRegistered):
        workflow.submit_registration(
            event, registration.user, details(), now=while_registration_is_open(event)
        )


def test_the_database_refuses_a_second_active_registration(event):
    first = register(event, "anna@police.example")
    db.session.add(
        Registration(
            event=event,
            user=first.user,
            reference="VGT14-SECOND",
            status=Status.PENDING,
            organisation_other="x",
            country="NL",
            job_title="x",
        )
    )
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_after_cancelling_a_delegate_may_register_again(event, organiser):
    first = register(event, "anna@police.example")
    workflow.cancel_registration(first, actor=first.user)
    again = workflow.submit_registration(
        event, first.user, details(), now=while_registration_is_open(event)
    )
    assert again.status == Status.PENDING
    assert again.reference != first.reference


def test_an_unverified_delegate_cannot_register(event):
    user = make_user("new@police.example", verified=False)
    with pytest.raises(NotAllowed):
        workflow.submit_registration(event, user, details())


def test_registration_outside_the_window_is_refused(app):
    event = make_event(registration_closes_at=utcnow() - timedelta(days=1))
    with pytest.raises(RegistrationClosed):
        workflow.submit_registration(event, make_user(), details())


def test_registration_closes_by_itself_once_the_event_has_ended(app):
    event = make_event()  # 5 and 6 November 2014, no closing time set
    last_evening = datetime(2014, 11, 6, 22, 59, tzinfo=UTC)  # 23:59 in Amsterdam
    workflow.submit_registration(event, make_user(), details(), now=last_evening)
    midnight = datetime(2014, 11, 6, 23, 0, tzinfo=UTC)  # the event is over in Amsterdam
    assert event.registration_open_at(midnight - timedelta(seconds=1))
    assert not event.registration_open_at(midnight)
    with pytest.raises(RegistrationClosed, match="closed when the event ended, on 6 November"):
        workflow.submit_registration(event, make_user("late@x.example"), details(), now=midnight)


def test_approving_past_the_capacity_is_refused(app):
    event = make_event(capacity=1)
    organiser = make_organiser(event)
    first, second = register(event, "a@x.example"), register(event, "b@x.example")
    workflow.approve_registration(first, actor=organiser)
    with pytest.raises(CapacityReached, match="full: 1 of 1"):
        workflow.approve_registration(second, actor=organiser)
    assert second.status == Status.PENDING


def test_every_decision_is_audited_with_its_organiser_and_emailed(event, organiser):
    registration = register(event, "anna@police.example")
    workflow.waitlist_registration(registration, actor=organiser)
    workflow.approve_registration(registration, actor=organiser)
    workflow.reject_registration(registration, actor=organiser, reason="Not police")
    assert audit_actions(registration) == [
        "registration.submitted",
        "registration.waitlisted",
        "registration.approved",
        "registration.rejected",
    ]
    entries = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "registration.rejected")
    ).all()
    assert entries[0].actor_id == organiser.id
    assert entries[0].details["reason"] == "Not police"
    assert entries[0].created_at.tzinfo is not None
    subjects = [email.subject for email in emails_to("anna@police.example")]
    assert [
        "received" in subjects[0],
        "waiting list" in subjects[1],
        "approved" in subjects[2],
        "about your registration" in subjects[3],
    ] == [True] * 4
    assert registration.decided_by == organiser
    assert registration.decision_reason == "Not police"


def test_the_rejection_email_carries_the_reason(event, organiser):
    registration = register(event, "anna@police.example")
    workflow.reject_registration(registration, actor=organiser, reason="Not police staff")
    assert "Not police staff" in emails_to("anna@police.example")[-1].body_text


def test_a_cancelled_registration_cannot_be_approved(event, organiser):
    registration = register(event, "anna@police.example")
    workflow.cancel_registration(registration, actor=registration.user)
    with pytest.raises(InvalidTransition):
        workflow.approve_registration(registration, actor=organiser)


def test_only_a_pending_registration_can_be_edited(event, organiser):
    registration = register(event, "anna@police.example")
    workflow.update_registration(
        registration, details(job_title="Analyst"), actor=registration.user
    )
    assert registration.job_title == "Analyst"
    workflow.approve_registration(registration, actor=organiser)
    with pytest.raises(InvalidTransition, match="only its dietary needs and accessibility needs"):
        workflow.update_registration(
            registration, details(job_title="Chief"), actor=registration.user
        )
    assert registration.job_title == "Analyst"


def test_once_approved_only_the_needs_change_and_the_change_is_audited(event, organiser):
    registration = register(event, "anna@police.example")
    workflow.approve_registration(registration, actor=organiser)
    workflow.update_registration(
        registration,
        RegistrationDetails(dietary_needs="Halal", accessibility_needs=" Lift "),
        actor=registration.user,
    )
    assert (registration.dietary_needs, registration.accessibility_needs) == ("Halal", "Lift")
    assert audit_actions(registration)[-1] == "registration.needs_changed"
    entry = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "registration.needs_changed")
    ).one()
    assert entry.details["changes"] == {
        "dietary_needs": ["Vegetarian", "Halal"],
        "accessibility_needs": ["", "Lift"],
    }


def test_a_waitlisted_or_rejected_registration_cannot_be_changed(event, organiser):
    waiting = register(event, "waiting@police.example")
    workflow.waitlist_registration(waiting, actor=organiser)
    with pytest.raises(InvalidTransition):
        workflow.update_registration(
            waiting, RegistrationDetails(dietary_needs="Halal"), actor=waiting.user
        )


def test_a_cancellation_promotes_the_first_on_the_waiting_list(app):
    event = make_event(capacity=1)
    organiser = make_organiser(event)
    seated = register(event, "seated@x.example")
    first_waiting = register(event, "first@x.example")
    second_waiting = register(event, "second@x.example")
    workflow.approve_registration(seated, actor=organiser)
    workflow.waitlist_registration(
        first_waiting, actor=organiser, now=utcnow() - timedelta(hours=2)
    )
    workflow.waitlist_registration(
        second_waiting, actor=organiser, now=utcnow() - timedelta(hours=1)
    )

    workflow.cancel_registration(seated, actor=seated.user)

    assert first_waiting.status == Status.APPROVED
    assert second_waiting.status == Status.WAITLISTED
    assert audit_actions(first_waiting)[-1] == "registration.promoted"
    promoted_email = emails_to("first@x.example")[-1]
    assert "approved" in promoted_email.subject
    assert "waiting list" in promoted_email.body_text
    assert "cancelled" in emails_to("seated@x.example")[-1].subject


def test_rejecting_an_approved_delegate_promotes_the_first_on_the_waiting_list(app):
    event = make_event(capacity=1)
    organiser = make_organiser(event)
    seated, waiting = register(event, "seated@x.example"), register(event, "waiting@x.example")
    workflow.approve_registration(seated, actor=organiser)
    workflow.waitlist_registration(waiting, actor=organiser)
    workflow.reject_registration(seated, actor=organiser, reason="Duplicate")
    assert waiting.status == Status.APPROVED


def waiting_list_with_seats_free(capacity: int, waiting: int):
    """One approved delegate, and `waiting` put on the waiting list by the organiser's
    decision although places were free."""
    event = make_event(capacity=capacity)
    organiser = make_organiser(event)
    seated = register(event, "seated@x.example")
    workflow.approve_registration(seated, actor=organiser)
    queue = []
    for n in range(waiting):
        registration = register(event, f"waiting{n}@x.example")
        workflow.waitlist_registration(
            registration, actor=organiser, now=utcnow() - timedelta(hours=waiting - n)
        )
        queue.append(registration)
    return event, organiser, seated, queue


def test_a_rejection_with_many_places_free_promotes_one_from_the_waiting_list(app):
    event, organiser, seated, queue = waiting_list_with_seats_free(capacity=115, waiting=3)
    workflow.reject_registration(seated, actor=organiser, reason="Duplicate")
    assert [registration.status for registration in queue] == [
        Status.APPROVED,
        Status.WAITLISTED,
        Status.WAITLISTED,
    ]
    assert audit_actions(queue[0])[-1] == "registration.promoted"
    assert audit_actions(queue[1])[-1] == "registration.waitlisted"


def test_a_cancellation_with_many_places_free_promotes_one_from_the_waiting_list(app):
    event, organiser, seated, queue = waiting_list_with_seats_free(capacity=115, waiting=3)
    workflow.cancel_registration(seated, actor=seated.user)
    assert [registration.status for registration in queue] == [
        Status.APPROVED,
        Status.WAITLISTED,
        Status.WAITLISTED,
    ]
    assert workflow.approved_count(event.id) == 1


def test_promotion_never_goes_past_the_capacity(app):
    event, organiser, seated, queue = waiting_list_with_seats_free(capacity=1, waiting=2)
    # A place said to be freed while the event is full (taken again in between) gives nothing.
    promoted = workflow.promote_from_waitlist(event, places=1)
    assert promoted == []
    assert all(registration.status == Status.WAITLISTED for registration in queue)


def test_cancelling_a_pending_registration_promotes_nobody(app):
    event = make_event(capacity=1)
    organiser = make_organiser(event)
    seated, pending = register(event, "seated@x.example"), register(event, "pending@x.example")
    waiting = register(event, "waiting@x.example")
    workflow.approve_registration(seated, actor=organiser)
    workflow.waitlist_registration(waiting, actor=organiser)
    workflow.cancel_registration(pending, actor=pending.user)
    assert waiting.status == Status.WAITLISTED


def test_without_approval_registrations_are_approved_until_full_then_waitlisted(app):
    event = make_event(capacity=2, approval_required=False)
    statuses = [register(event, f"d{n}@x.example").status for n in range(3)]
    assert statuses == [Status.APPROVED, Status.APPROVED, Status.WAITLISTED]


def test_a_refused_change_leaves_nothing_half_written(app):
    """The view rolls back on a refusal: no status, audit entry or email of it survives."""
    event = make_event(capacity=1)
    organiser = make_organiser(event)
    seated, refused = register(event, "seated@x.example"), register(event, "refused@x.example")
    workflow.approve_registration(seated, actor=organiser)
    db.session.commit()
    counts_before = [
        db.session.scalar(sa.select(sa.func.count()).select_from(model))
        for model in (AuditEntry, OutboxEmail)
    ]
    with pytest.raises(CapacityReached):
        workflow.approve_registration(refused, actor=organiser)
    db.session.rollback()
    counts_after = [
        db.session.scalar(sa.select(sa.func.count()).select_from(model))
        for model in (AuditEntry, OutboxEmail)
    ]
    assert counts_after == counts_before
    assert db.session.get(Registration, refused.id).status == Status.PENDING


def test_consent_is_recorded_with_its_version_and_time_only_when_given(event):
    declined = register(event, "declined@x.example", consent_participant_list=False)
    assert declined.consents == []
    given = register(event, "given@x.example", consent_participant_list=True)
    [consent] = given.consents
    assert consent.purpose == "participant_list" and consent.version == "2014-11"
    assert consent.given_at is not None and consent.withdrawn_at is None


def test_changing_the_consent_is_recorded_and_audited(event):
    registration = register(event, "anna@x.example", consent_participant_list=True)
    workflow.update_registration(
        registration, details(consent_participant_list=False), actor=registration.user
    )
    consent = registration.consent_to("participant_list")
    assert consent.withdrawn_at is not None and not registration.consents_to("participant_list")
    entry = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "registration.updated")
    ).one()
    assert entry.details["changes"] == {"consent_participant_list": [True, False]}
    workflow.update_registration(
        registration, details(consent_participant_list=True), actor=registration.user
    )
    assert consent.withdrawn_at is None and registration.consents_to("participant_list")


def test_withdrawing_an_approved_place_says_so(event, organiser):
    registration = register(event, "anna@police.example")
    workflow.approve_registration(registration, actor=organiser)
    workflow.reject_registration(registration, actor=organiser, reason="Duplicate")
    body = emails_to("anna@police.example")[-1].body_text
    assert "withdrawn the place" in body and "Duplicate" in body


def test_the_waiting_list_email_does_not_claim_the_event_is_full(event, organiser):
    registration = register(event, "anna@police.example")
    workflow.waitlist_registration(registration, actor=organiser)
    assert "full" not in emails_to("anna@police.example")[-1].body_text


def test_the_database_constraint_catches_what_the_check_misses(event, monkeypatch):
    """Should two submissions ever pass the check together, the unique index still refuses the
    second, and the session stays usable for the first."""
    first = register(event, "anna@police.example")
    monkeypatch.setattr(workflow, "registration_for", lambda event, user: None)
    with pytest.raises(AlreadyRegistered):
        workflow.submit_registration(
            event, first.user, details(), now=while_registration_is_open(event)
        )
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)) == 1
