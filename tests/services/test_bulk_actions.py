"""Bulk decisions, tags and messages: what the organisers do to many registrations at once."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from conference.extensions import db
from conference.models import AuditEntry, OutboxEmail, Registration, utcnow
from conference.models import RegistrationStatus as Status
from conference.services.errors import AlreadyDone, NotAllowed
from conference.services.registration import tags, workflow
from conference.services.registration.bulk_actions import BulkOutcome, run_bulk_action
from conference.services.registration.listing import RegistrationFilter
from tests.factories import make_event, make_organiser, register

BATCH = "0123456789abcdef0123456789abcdef"


def signed_up_in_order(event, count, **overrides) -> list[Registration]:
    """Registrations whose sign-up times are an hour apart, oldest first."""
    start = utcnow() - timedelta(days=10)
    made = []
    for n in range(count):
        registration = register(event, f"delegate{n:02d}@police.example", **overrides)
        registration.created_at = start + timedelta(hours=n)
        made.append(registration)
    db.session.flush()
    return made


def bulk(event, action, organiser, batch=BATCH, **kwargs):
    return run_bulk_action(event, action, actor=organiser, batch=batch, **kwargs)


def emails_to(registration) -> list[OutboxEmail]:
    return db.session.scalars(
        sa.select(OutboxEmail)
        .where(OutboxEmail.recipient == registration.user.email)
        .order_by(OutboxEmail.id)  # the database keeps no order of its own
    ).all()


def test_bulk_approval_fills_the_places_left_in_order_of_sign_up_and_waitlists_the_rest(app):
    event = make_event(capacity=3)
    organiser = make_organiser(event)
    first, *others = signed_up_in_order(event, 5)
    workflow.approve_registration(first, actor=organiser)
    # Ticked in any order: sign-up order decides who gets the two places left.
    chosen = [r.reference for r in reversed(others)]
    outcome = bulk(event, "approve", organiser, references=chosen)
    assert outcome.done == [others[0].reference, others[1].reference]
    assert outcome.waitlisted == [others[2].reference, others[3].reference]
    assert [r.status for r in others] == [Status.APPROVED] * 2 + [Status.WAITLISTED] * 2
    assert workflow.approved_count(event.id) == event.capacity
    assert outcome.summary == (
        "Approved 2 registrations. No place was left for 2 registrations: "
        "now on the waiting list, in order of sign-up."
    )
    assert "approved" in emails_to(others[0])[-1].subject
    assert "waiting list" in emails_to(others[3])[-1].subject


def test_bulk_approval_leaves_alone_what_it_cannot_approve(app):
    event = make_event(capacity=2)
    organiser = make_organiser(event)
    approved, cancelled, waiting, pending = signed_up_in_order(event, 4)
    workflow.approve_registration(approved, actor=organiser)
    workflow.cancel_registration(cancelled, actor=cancelled.user)
    workflow.approve_registration(pending, actor=organiser)  # takes the last place
    workflow.reject_registration(pending, actor=organiser, reason="Not vetted")
    workflow.approve_registration(waiting, actor=organiser)
    workflow.reject_registration(waiting, actor=organiser, reason="Duplicate")
    workflow.waitlist_registration(waiting, actor=organiser)
    workflow.approve_registration(pending, actor=organiser)
    outcome = bulk(event, "approve", organiser, filters=RegistrationFilter())
    assert outcome.done == []
    assert outcome.skipped == {
        "approved already": [approved.reference, pending.reference],
        "cancelled": [cancelled.reference],
        "no place left, still on the waiting list": [waiting.reference],
    }
    assert waiting.status == Status.WAITLISTED
    assert "Left alone 1 registration (cancelled)." in outcome.summary


def test_a_bulk_rejection_of_approved_delegates_promotes_the_waiting_list(app):
    event = make_event(capacity=2)
    organiser = make_organiser(event)
    first, second, waiting = signed_up_in_order(event, 3)
    for registration in (first, second):
        workflow.approve_registration(registration, actor=organiser)
    workflow.waitlist_registration(waiting, actor=organiser)
    outcome = bulk(
        event, "reject", organiser, references=[first.reference], reason="  No longer in post "
    )
    assert first.status == Status.REJECTED and first.decision_reason == "No longer in post"
    assert outcome.promoted == [waiting.reference]
    assert waiting.status == Status.APPROVED
    assert "1 registration moved up from the waiting list." in outcome.summary


def test_a_bulk_rejection_promotes_as_many_as_it_frees_however_many_places_are_free(app):
    event = make_event(capacity=100)
    organiser = make_organiser(event)
    first, second, third, *waiting = signed_up_in_order(event, 7)
    for registration in (first, second, third):
        workflow.approve_registration(registration, actor=organiser)
    for n, registration in enumerate(waiting):  # the organiser's decision, places or not
        workflow.waitlist_registration(
            registration, actor=organiser, now=utcnow() - timedelta(hours=10 - n)
        )
    outcome = bulk(
        event, "reject", organiser, references=[first.reference, second.reference], reason="No"
    )
    assert outcome.promoted == [waiting[0].reference, waiting[1].reference]
    assert [registration.status for registration in waiting] == [
        Status.APPROVED,
        Status.APPROVED,
        Status.WAITLISTED,
        Status.WAITLISTED,
    ]
    assert "2 registrations moved up from the waiting list." in outcome.summary


def test_a_bulk_rejection_of_pending_delegates_promotes_nobody(app):
    event = make_event(capacity=1)
    organiser = make_organiser(event)
    approved, waiting, pending = signed_up_in_order(event, 3)
    workflow.approve_registration(approved, actor=organiser)
    workflow.waitlist_registration(waiting, actor=organiser)
    outcome = bulk(event, "reject", organiser, references=[pending.reference], reason="No")
    assert outcome.promoted == [] and waiting.status == Status.WAITLISTED


def test_bulk_waitlisting_skips_those_already_waiting(app):
    event = make_event()
    organiser = make_organiser(event)
    waiting, pending, approved = signed_up_in_order(event, 3)
    workflow.waitlist_registration(waiting, actor=organiser)
    workflow.approve_registration(approved, actor=organiser)
    outcome = bulk(event, "waitlist", organiser)
    assert outcome.done == [pending.reference]
    assert outcome.skipped == {
        "waiting list already": [waiting.reference],
        "approved": [approved.reference],  # an approved place is withdrawn by rejecting it
    }
    assert approved.status == Status.APPROVED
    assert outcome.summary.startswith("Put on the waiting list 1 registration.")


def test_the_same_bulk_form_sent_twice_does_its_work_once(app):
    event = make_event()
    organiser = make_organiser(event)
    first, second = signed_up_in_order(event, 2)
    bulk(event, "waitlist", organiser)
    workflow.approve_registration(first, actor=organiser)  # meanwhile, one is approved
    with pytest.raises(AlreadyDone):
        bulk(event, "waitlist", organiser)
    assert first.status == Status.APPROVED and second.status == Status.WAITLISTED
    assert len(emails_to(second)) == 2  # received, waitlisted: once
    # Another form, another batch: it runs.
    assert bulk(event, "waitlist", organiser, batch="f" * 32).done == []


def test_a_batch_token_is_per_event(app):
    event = make_event()
    other = make_event(slug="vgt-2015")
    organiser = make_organiser(event)
    bulk(event, "waitlist", organiser)
    bulk(other, "waitlist", organiser)  # the same token in another event is another batch


def test_ticked_registrations_count_only_while_the_filter_still_matches_them(app):
    event = make_event()
    other_event = make_event(slug="vgt-2015")
    organiser = make_organiser(event)
    belgian, dutch = signed_up_in_order(event, 2)
    dutch.country = "NL"
    elsewhere = register(other_event, "elsewhere@police.example")
    outcome = bulk(
        event,
        "waitlist",
        organiser,
        filters=RegistrationFilter(country="BE"),
        references=[belgian.reference.lower(), dutch.reference, elsewhere.reference, "VGT14-NOPE"],
    )
    assert outcome.done == [belgian.reference]
    assert dutch.status == Status.PENDING and elsewhere.status == Status.PENDING


def test_a_whole_filter_is_acted_on_when_nothing_is_ticked(app):
    event = make_event()
    organiser = make_organiser(event)
    needs_letter = signed_up_in_order(event, 3, invitation_letter_needed=True)
    register(event, "no.letter@police.example")
    visa = tags.create_tag(event, "Needs visa", "orange", actor=organiser)
    outcome = bulk(event, "tag", organiser, filters=RegistrationFilter(letter=True), tag_id=visa.id)
    assert sorted(outcome.done) == sorted(r.reference for r in needs_letter)
    assert all(r.tags == [visa] for r in needs_letter)
    again = bulk(
        event, "tag", organiser, batch="a" * 32, filters=RegistrationFilter(), tag_id=visa.id
    )
    assert len(again.done) == 1
    assert len(again.skipped["had the tag already"]) == 3
    off = bulk(
        event,
        "untag",
        organiser,
        batch="b" * 32,
        references=[needs_letter[0].reference],
        tag_id=visa.id,
    )
    assert off.done == [needs_letter[0].reference] and needs_letter[0].tags == []
    assert off.summary == "Took the tag off 1 registration."
    none = bulk(
        event,
        "untag",
        organiser,
        batch="c" * 32,
        references=[needs_letter[0].reference],
        tag_id=visa.id,
    )
    assert none.skipped == {"did not have the tag": [needs_letter[0].reference]}


def test_bulk_tagging_refuses_a_tag_of_another_event(app):
    event = make_event()
    other = make_event(slug="vgt-2015")
    organiser = make_organiser(event)
    signed_up_in_order(event, 1)
    foreign = tags.create_tag(other, "VIP", "red", actor=organiser)
    with pytest.raises(NotAllowed):
        bulk(event, "tag", organiser, tag_id=foreign.id)
    with pytest.raises(NotAllowed):
        bulk(event, "untag", organiser, batch="d" * 32, tag_id=None)


def test_every_bulk_run_is_in_the_audit_log_with_its_batch(app):
    event = make_event()
    organiser = make_organiser(event)
    bulk(event, "approve", organiser)
    entry = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "registration.bulk_approve")
    ).one()
    assert entry.details == {"batch": BATCH} and entry.event_id == event.id


def test_an_unknown_bulk_action_is_a_programming_error(app):
    event = make_event()
    organiser = make_organiser(event)
    with pytest.raises(ValueError, match="unknown bulk action"):
        bulk(event, "delete", organiser)


def test_the_summary_counts_in_words():
    outcome = BulkOutcome("approve", done=["A"])
    assert outcome.summary == "Approved 1 registration."
