"""Reading the audit log of an event, without HTTP; and that nothing can rewrite it."""

import pytest
import sqlalchemy as sa

from conference.extensions import db
from conference.models import AuditEntry, utcnow
from conference.services.audit import reading, wording
from conference.services.audit.reading import AuditFilter
from conference.services.audit.writing import log_action
from conference.services.people import team
from conference.services.registration import workflow
from tests.environment import counting_queries
from tests.factories import make_event, make_organiser, register


@pytest.fixture
def organiser(event):
    return make_organiser(event)


def entries(event, **narrow) -> list[AuditEntry]:
    return db.session.scalars(reading.entries_query(event, AuditFilter(**narrow))).all()


def test_the_log_holds_this_events_entries_newest_first(event, organiser):
    first = register(event, "first@police.example")
    workflow.approve_registration(first, actor=organiser)
    elsewhere = make_event(slug="vgt-2015")
    register(elsewhere, "elsewhere@police.example")
    found = entries(event)
    assert {e.event_id for e in found} == {event.id}
    assert [e.action for e in found][:2] == ["registration.approved", "registration.submitted"]
    assert [e.created_at for e in found] == sorted((e.created_at for e in found), reverse=True)


def test_entries_at_the_same_moment_come_newest_first(event, organiser):
    moment = utcnow()
    older = log_action("team.note", organiser, actor=organiser, event_id=event.id, at=moment)
    newer = log_action("team.note", organiser, actor=organiser, event_id=event.id, at=moment)
    assert entries(event, what="team.note") == [newer, older]


def test_the_log_filters_by_who_by_part_of_a_name_or_address(event, organiser):
    registration = register(event, "maria@garda.example")
    workflow.approve_registration(registration, actor=organiser)
    assert {e.actor_id for e in entries(event, who="OLGA")} == {organiser.id}
    assert {e.actor_id for e in entries(event, who="garda.example")} == {registration.user_id}
    assert entries(event, who="%") == []  # a wildcard is only text


def test_the_log_filters_by_what(event, organiser):
    registration = register(event, "maria@garda.example")
    workflow.approve_registration(registration, actor=organiser)
    assert [e.action for e in entries(event, what="registration.approved")] == [
        "registration.approved"
    ]
    assert reading.actions_in(event) == [
        "registration.approved",
        "registration.submitted",
        "team.member_added",
    ]


def test_the_log_filters_by_registration_reference(event, organiser):
    mine = register(event, "mine@police.example")
    other = register(event, "other@police.example")
    workflow.approve_registration(mine, actor=organiser)
    # A note or tag on the registration names it in its details.
    log_action(
        "registration_note.added",
        organiser,
        actor=organiser,
        event_id=event.id,
        reference=mine.reference,
    )
    found = entries(event, registration=mine.reference.lower())
    assert [e.action for e in found] == [
        "registration_note.added",
        "registration.approved",
        "registration.submitted",
    ]
    assert other.reference not in str([e.details for e in found])
    assert entries(event, registration="VGT14-NOSUCH") == []


def test_an_action_reads_as_words():
    assert reading.action_label("registration.approved") == "Registration: approved"
    assert reading.action_label("team.role_changed") == "Team: role changed"
    assert reading.action_label("check_in") == "Check in"


def test_objects_are_named_with_one_query_per_kind(event, organiser):
    registration = register(event, "maria@garda.example")
    invitation, _ = team.invite_member(event, "new@politie.example", "viewer", actor=organiser)
    gone = log_action("team.invited", invitation, actor=organiser, event_id=event.id)
    db.session.flush()
    found = entries(event)
    with counting_queries() as statements:
        labels = wording.object_labels(found)
    assert len(statements) == 3  # registrations, users, invitations
    assert labels["registration", registration.id].reference == registration.reference
    assert labels["registration", registration.id].text == f"Registration {registration.reference}"
    assert labels["user", organiser.id].text == "Olga Organiser <organiser@politie.example>"
    assert labels["teaminvitation", invitation.id].text == "Invitation to new@politie.example"
    db.session.delete(invitation)  # replaced by a newer invitation
    db.session.flush()
    assert wording.object_labels([gone])["teaminvitation", gone.object_id].text == (
        f"Team invitation #{gone.object_id}, since deleted"
    )
    badge = log_action("badge.printed", registration, actor=organiser, event_id=event.id)
    badge.object_type = "badge"  # a kind of object this module does not know: named by the page
    assert wording.object_labels([badge]) == {}


def test_an_audit_entry_cannot_be_changed_or_deleted(event, organiser):
    register(event, "maria@garda.example")
    db.session.commit()
    entry = db.session.scalars(sa.select(AuditEntry)).first()
    entry.action = "registration.forged"
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.commit()
    db.session.rollback()
    db.session.delete(db.session.get(AuditEntry, entry.id))
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.commit()
    db.session.rollback()
    assert db.session.get(AuditEntry, entry.id).action != "registration.forged"


def test_an_entry_about_a_registration_of_another_event_is_not_found(event, organiser):
    elsewhere = make_event(slug="vgt-2015")
    theirs = register(elsewhere, "theirs@police.example")
    log_action("registration.viewed", theirs, actor=organiser, event_id=event.id)
    assert entries(event, registration=theirs.reference) == []
    assert entries(event, registration=theirs.reference.replace("VGT14", "X")) == []
