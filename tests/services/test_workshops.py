"""Workshop sign-up: places, waiting lists, promotion, one workshop at a time. Without HTTP."""

from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from conference.extensions import db
from conference.models import (
    AuditEntry,
    OutboxEmail,
    ProgrammeSession,
    Registration,
    SessionKind,
    SessionSignup,
    utcnow,
)
from conference.models import RegistrationStatus as Status
from conference.models import SignupStatus as Signup
from conference.services import locks
from conference.services.errors import AlreadyDone, NotAllowed, NotFound
from conference.services.programme import workshops
from conference.services.programme.agenda import agenda_of
from conference.services.programme.publishing import published_programme
from conference.services.programme.workshops import WorkshopClash
from conference.services.registration import workflow
from tests.factories import approved, local, make_event, publisher, register, session, workshop
from tests.workshop_helpers import publish


@pytest.fixture
def event(app):
    return make_event()


def emails_to(address: str) -> list[OutboxEmail]:
    return db.session.scalars(
        sa.select(OutboxEmail).where(OutboxEmail.recipient == address).order_by(OutboxEmail.id)
    ).all()


def subjects_to(address: str) -> list[str]:
    return [email.subject for email in emails_to(address)]


def actions_on(registration: Registration) -> list[str]:
    return db.session.scalars(
        sa.select(AuditEntry.action)
        .where(
            AuditEntry.object_type == "registration",
            AuditEntry.object_id == registration.id,
            AuditEntry.action.startswith("workshop."),
        )
        .order_by(AuditEntry.id)
    ).all()


def status_in(session: ProgrammeSession, registration: Registration) -> str | None:
    return db.session.scalar(
        sa.select(SessionSignup.status).where(
            SessionSignup.session_id == session.id,
            SessionSignup.registration_id == registration.id,
        )
    )


def sign_up(registration, session, **kwargs):
    return workshops.sign_up(registration, session.id, actor=registration.user, **kwargs)


def leave(registration, session, **kwargs):
    return workshops.leave(registration, session.id, actor=registration.user, **kwargs)


# --- places and the waiting list ------------------------------------------------------------------


def test_places_are_confirmed_until_the_workshop_is_full_then_the_waiting_list_fills(event):
    finding = workshop(event, "Finding the child", capacity=2)
    publish(event)
    anna, ben, carla = (approved(event, f"{n}@police.example") for n in ("anna", "ben", "carla"))

    assert sign_up(anna, finding).status == Signup.CONFIRMED
    assert sign_up(ben, finding).status == Signup.CONFIRMED
    assert sign_up(carla, finding).status == Signup.WAITLISTED

    assert workshops.confirmed_count(finding.id) == 2
    assert "you have a place in “Finding the child”" in subjects_to("anna@police.example")[-1]
    assert "waiting list for “Finding the child”" in subjects_to("carla@police.example")[-1]
    [body] = [e.body_text for e in emails_to("anna@police.example") if "place in" in e.subject]
    assert "5 Nov 2014, 13:30–15:00 CET" in body
    assert "http://localhost/vgt-2014/agenda" in body
    assert actions_on(carla) == ["workshop.signed_up"]


def test_leaving_gives_the_place_to_the_first_waiting_in_the_same_transaction(event):
    finding = workshop(event, "Finding the child", capacity=1)
    publish(event)
    anna, ben, carla = (approved(event, f"{n}@police.example") for n in ("anna", "ben", "carla"))
    start = utcnow()
    sign_up(anna, finding, now=start)
    sign_up(carla, finding, now=start + timedelta(minutes=2))
    sign_up(ben, finding, now=start + timedelta(minutes=1))  # on the list before Carla
    db.session.commit()

    leave(anna, finding)

    # Not committed yet, and already done: Ben has the place and his email is queued.
    assert status_in(finding, anna) is None
    assert status_in(finding, ben) == Signup.CONFIRMED
    assert status_in(finding, carla) == Signup.WAITLISTED
    assert "a place freed up: you are in" in subjects_to("ben@police.example")[-1]
    assert "you have left" in subjects_to("anna@police.example")[-1]
    assert actions_on(ben) == ["workshop.signed_up", "workshop.promoted"]
    assert actions_on(anna) == ["workshop.signed_up", "workshop.left"]

    db.session.rollback()  # and undone together
    assert status_in(finding, anna) == Signup.CONFIRMED
    assert status_in(finding, ben) == Signup.WAITLISTED
    assert not any("freed up" in s for s in subjects_to("ben@police.example"))


def test_leaving_the_waiting_list_promotes_nobody(event):
    finding = workshop(event, "Finding the child", capacity=1)
    publish(event)
    anna, ben, carla = (approved(event, f"{n}@police.example") for n in ("anna", "ben", "carla"))
    sign_up(anna, finding)
    sign_up(ben, finding)
    sign_up(carla, finding)

    leave(ben, finding)

    assert status_in(finding, ben) is None
    assert status_in(finding, carla) == Signup.WAITLISTED
    assert workshops.confirmed_count(finding.id) == 1


def test_raising_the_capacity_fills_the_new_places_from_the_waiting_list(event):
    finding = workshop(event, "Finding the child", capacity=1)
    publish(event)
    people = [approved(event, f"d{n}@police.example") for n in range(4)]
    for person in people:
        sign_up(person, finding)
    db.session.commit()

    finding.capacity = 3
    promoted = workshops.fill_from_waiting_list(finding)

    assert [s.registration_id for s in promoted] == [people[1].id, people[2].id]
    assert workshops.confirmed_count(finding.id) == 3
    assert status_in(finding, people[3]) == Signup.WAITLISTED
    assert "freed up" in subjects_to("d2@police.example")[-1]


def test_taking_the_session_lock_is_not_an_edit_of_the_session(event):
    finding = workshop(event, "Finding the child", capacity=1)
    db.session.commit()
    before = finding.updated_at
    locks.lock_session(finding.id)
    assert locks.lock_session(finding.id).updated_at == before


# --- one workshop at a time -----------------------------------------------------------------------


def test_a_workshop_at_the_same_time_as_ones_place_is_refused_naming_it(event):
    finding = workshop(event, "Finding the child", capacity=5, start=(13, 30), end=(15, 0))
    streaming = workshop(event, "Live streaming", capacity=5, start=(14, 0), end=(15, 30))
    later = workshop(event, "Sex tourism", capacity=5, start=(15, 0), end=(16, 0))
    publish(event)
    anna = approved(event, "anna@police.example")
    sign_up(anna, finding)

    with pytest.raises(WorkshopClash, match="“Finding the child” is at the same time"):
        sign_up(anna, streaming)
    assert status_in(streaming, anna) is None
    # Back to back is fine.
    assert sign_up(anna, later).status == Signup.CONFIRMED


def test_the_clash_rule_also_refuses_joining_a_waiting_list(event):
    finding = workshop(event, "Finding the child", capacity=5)
    full = workshop(event, "Live streaming", capacity=1, start=(14, 0), end=(15, 30))
    publish(event)
    anna, ben = approved(event, "anna@police.example"), approved(event, "ben@police.example")
    sign_up(ben, full)
    sign_up(anna, finding)

    with pytest.raises(WorkshopClash):
        sign_up(anna, full)


def test_promotion_passes_over_a_delegate_with_a_place_at_the_same_time(event):
    streaming = workshop(event, "Live streaming", capacity=1, start=(14, 0), end=(15, 30))
    finding = workshop(event, "Finding the child", capacity=5)
    publish(event)
    anna, ben, carla = (approved(event, f"{n}@police.example") for n in ("anna", "ben", "carla"))
    start = utcnow()
    sign_up(anna, streaming, now=start)
    sign_up(ben, streaming, now=start + timedelta(minutes=1))  # waiting, first
    sign_up(carla, streaming, now=start + timedelta(minutes=2))  # waiting, second
    sign_up(ben, finding)  # Ben takes a place at the same time meanwhile

    leave(anna, streaming)

    assert status_in(streaming, carla) == Signup.CONFIRMED
    assert status_in(streaming, ben) == Signup.WAITLISTED  # keeps his turn
    assert not any("freed up" in s for s in subjects_to("ben@police.example"))


def test_the_clash_rule_reads_the_published_times_not_the_draft(event):
    finding = workshop(event, "Finding the child", capacity=5, start=(9, 0), end=(10, 0))
    streaming = workshop(event, "Live streaming", capacity=5, start=(13, 0), end=(14, 0))
    publish(event)
    anna = approved(event, "anna@police.example")
    sign_up(anna, finding)
    # An organiser moves it in the draft; delegates still see it at 13:00 until publication.
    streaming.starts_at, streaming.ends_at = local(5, 9, 30), local(5, 10, 30)
    db.session.flush()

    assert sign_up(anna, streaming).status == Signup.CONFIRMED


# --- who may sign up, and for what ----------------------------------------------------------------


@pytest.mark.parametrize("status", [Status.PENDING, Status.WAITLISTED, Status.REJECTED])
def test_only_a_delegate_with_an_approved_registration_signs_up(event, status):
    finding = workshop(event, "Finding the child", capacity=5)
    publish(event)
    registration = register(event, "anna@police.example")
    registration.status = status
    db.session.flush()

    with pytest.raises(NotAllowed, match="approved registration"):
        sign_up(registration, finding)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SessionSignup)) == 0


def test_nobody_signs_up_before_the_programme_is_published(event):
    finding = workshop(event, "Finding the child", capacity=5)
    anna = approved(event, "anna@police.example")
    with pytest.raises(NotFound, match="not published yet"):
        sign_up(anna, finding)


def test_a_workshop_added_after_publication_waits_for_the_next_one(event):
    workshop(event, "Finding the child", capacity=5)
    publish(event)
    draft_only = workshop(event, "Live streaming", capacity=5, start=(16, 0), end=(17, 0))
    anna = approved(event, "anna@police.example")

    with pytest.raises(NotFound, match="no such session"):
        sign_up(anna, draft_only)


def test_a_session_without_places_needs_no_sign_up(event):
    opening = session(
        event, "Opening", kind=SessionKind.PLENARY, starts=local(5, 9), ends=local(5, 10)
    )
    publish(event)
    anna = approved(event, "anna@police.example")
    with pytest.raises(NotAllowed, match="open to everyone"):
        sign_up(anna, opening)


def test_a_workshop_of_another_event_is_not_found(event):
    other = make_event(slug="other-2015")
    theirs = workshop(other, "Elsewhere", capacity=5)
    publish(other)
    publish(event)
    anna = approved(event, "anna@police.example")
    with pytest.raises(NotFound):
        sign_up(anna, theirs)


def test_signing_up_twice_creates_one_place(event):
    finding = workshop(event, "Finding the child", capacity=5)
    publish(event)
    anna = approved(event, "anna@police.example")
    sign_up(anna, finding)
    emails_before = len(emails_to("anna@police.example"))

    with pytest.raises(AlreadyDone, match="already have a place"):
        sign_up(anna, finding)

    assert db.session.scalar(sa.select(sa.func.count()).select_from(SessionSignup)) == 1
    assert len(emails_to("anna@police.example")) == emails_before
    # Should two requests get past that check at once, the database takes only one.
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.add(SessionSignup(session=finding, registration=anna, status=Signup.CONFIRMED))
        db.session.flush()


def test_leaving_twice_is_already_done_and_an_unknown_session_not_found(event):
    finding = workshop(event, "Finding the child", capacity=5)
    publish(event)
    anna = approved(event, "anna@police.example")
    with pytest.raises(AlreadyDone, match="not signed up for “Finding the child”"):
        leave(anna, finding)
    with pytest.raises(NotFound):
        workshops.leave(anna, 999999, actor=anna.user)


# --- a registration that stops being approved -----------------------------------------------------


@pytest.mark.parametrize("how", ["cancel", "reject"])
def test_a_registration_that_stops_being_approved_gives_its_places_to_the_waiting(event, how):
    finding = workshop(event, "Finding the child", capacity=1)
    streaming = workshop(event, "Live streaming", capacity=1, day=6)
    publish(event)
    anna, ben = approved(event, "anna@police.example"), approved(event, "ben@police.example")
    carla = approved(event, "carla@police.example")
    sign_up(anna, finding)
    sign_up(ben, finding)
    sign_up(carla, streaming)
    sign_up(anna, streaming)  # Anna waits here
    db.session.commit()

    if how == "cancel":
        workflow.cancel_registration(anna, actor=anna.user)
    else:
        workflow.reject_registration(anna, actor=publisher(event), reason="Duplicate")

    assert status_in(finding, anna) is None and status_in(streaming, anna) is None
    assert status_in(finding, ben) == Signup.CONFIRMED
    assert "freed up" in subjects_to("ben@police.example")[-1]
    assert actions_on(anna)[-2:] == ["workshop.released", "workshop.released"]
    # Anna is told about her registration, not about each workshop.
    assert not any("left" in s for s in subjects_to("anna@police.example"))


def test_the_agenda_shows_sessions_for_everyone_and_ones_own_workshops(event):
    opening = session(
        event, "Opening", kind=SessionKind.PLENARY, starts=local(5, 9), ends=local(5, 10)
    )
    panel = session(event, "Panel", kind=SessionKind.PANEL, starts=local(5, 10), ends=local(5, 11))
    finding = workshop(event, "Finding the child", capacity=1)
    streaming = workshop(event, "Live streaming", capacity=1, day=6)
    other = workshop(event, "Sex tourism", capacity=3, day=6, start=(9, 0), end=(10, 0))
    programme = publish(event)
    anna, ben = approved(event, "anna@police.example"), approved(event, "ben@police.example")
    sign_up(ben, streaming)
    sign_up(anna, finding)
    sign_up(anna, streaming)

    agenda = agenda_of(anna, published_programme(event))

    assert programme.number == 1
    first, second = (items for _, items in agenda.days)
    assert [(i.session.id, i.status) for i in first] == [
        (opening.id, None),
        (panel.id, None),  # open to everyone, like the plenary
        (finding.id, Signup.CONFIRMED),
    ]
    assert [(i.session.id, i.status) for i in second] == [(streaming.id, Signup.WAITLISTED)]
    assert [s.id for s in agenda.confirmed_sessions()] == [opening.id, panel.id, finding.id]
    places = {w.session.id: (w.places_left, w.own_status) for w in agenda.workshops}
    assert places == {
        finding.id: (0, Signup.CONFIRMED),
        streaming.id: (0, Signup.WAITLISTED),
        other.id: (3, None),
    }


def test_a_delegate_passed_over_for_a_clash_moves_up_once_the_clash_ends(event):
    """Yara waits for A, then takes a place in C at the same time; A's freed place passes her
    over. When she leaves C, A's free place is hers: she is first in line."""
    a = workshop(event, "A", capacity=1)
    c = workshop(event, "C", capacity=5)
    publish(event)
    xavier, yara, zoe = (approved(event, f"{n}@police.example") for n in ("xavier", "yara", "z"))
    sign_up(xavier, a)
    sign_up(yara, a)  # full: the waiting list
    sign_up(yara, c)
    leave(xavier, a)
    assert status_in(a, yara) == Signup.WAITLISTED  # passed over while she has a place in C
    assert workshops.confirmed_count(a.id) == 0

    leave(yara, c)
    assert status_in(a, yara) == Signup.CONFIRMED
    assert "workshop.promoted" in actions_on(yara)
    assert sign_up(zoe, a).status == Signup.WAITLISTED


def test_only_sessions_published_as_workshops_take_sign_ups(event):
    plenary = session(
        event, "Opening", starts=local(5, 9), ends=local(5, 10), kind=SessionKind.PLENARY
    )
    publish(event)
    plenary.capacity = 10  # a draft change: not yet what delegates were told
    db.session.flush()
    anna = approved(event, "anna@police.example")
    with pytest.raises(NotAllowed, match="open to everyone"):
        sign_up(anna, plenary)
