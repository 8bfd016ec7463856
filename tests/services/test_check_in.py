"""The check-in desk's rules: once per day, refusals audited, a session's door, the offline sync."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from conference.extensions import db
from conference.models import AuditEntry, CheckIn, SessionAttendance, utcnow
from conference.models import RegistrationStatus as Status
from conference.services.on_site import arrivals, badges
from conference.services.on_site.check_in import (
    Door,
    InvalidBatch,
    InvalidCode,
    Outcome,
    door_at,
    scan,
    sync,
)
from conference.services.on_site.desk_copy import EventOver, desk_copy, search
from conference.services.registration import workflow
from tests.factories import approved, make_organiser, register, workshop
from tests.on_site_helpers import FIRST_DAY

# The tests' event was in November 2014: the desk checks in for its first day.
ON_THE_FIRST_DAY = datetime(2014, 11, 5, 7, 42, tzinfo=UTC)  # 08:42 in Amsterdam


@pytest.fixture
def staff(event):
    return make_organiser(event, "anna.staff@politie.example", role="check_in")


@pytest.fixture
def ben(event):
    return approved(event, "ben@police.example")


def token(registration) -> str:
    return badges.token_of(badges.badge_of(registration, actor=None))


def hash_of(registration) -> str:
    return badges.badge_of(registration, actor=None).token_hash


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def audited(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == action)))


def test_a_scanned_badge_checks_its_delegate_in_once_and_says_so_the_second_time(
    app, event, staff, ben
):
    staff.name = "Anna de Vries"
    first = scan(event, token(ben), actor=staff, door=Door("Main entrance"))
    second = scan(event, token(ben).lower(), actor=staff, door=Door("Side door"))

    assert first.outcome == Outcome.CHECKED_IN and first.person.name == "ben"
    assert second.outcome == Outcome.ALREADY
    assert second.message.startswith("Already checked in today at ")
    assert second.message.endswith(" by Anna.")
    assert count(CheckIn) == 1
    assert len(audited("check_in.checked_in")) == 1
    assert arrivals.counts_per_day(event)[0].checked_in == 1


def test_the_desk_shows_who_it_is_their_role_and_what_to_take_care_of(app, event, staff):
    wheelchair = approved(event, "carla@police.example")
    wheelchair.accessibility_needs = "Wheelchair user: step-free route to the Amstel room"

    answer = scan(event, token(wheelchair), actor=staff, door=Door())

    assert answer.person.organisation == "Federal Police Cybercrime Unit"
    assert answer.person.country == "Belgium"
    assert answer.person.role == "Delegate"
    assert answer.person.needs.startswith("Wheelchair user")


def test_someone_found_by_name_is_checked_in_by_their_reference_without_a_badge(
    app, event, staff, ben
):
    found = search(event, "BEN")

    answer = scan(event, found[0][1].reference, actor=staff, door=Door())

    assert answer.outcome == Outcome.CHECKED_IN
    assert db.session.scalars(sa.select(CheckIn.registration_id)).all() == [ben.id]


@pytest.mark.parametrize(
    "status", [Status.PENDING, Status.WAITLISTED, Status.REJECTED, Status.CANCELLED]
)
def test_a_registration_that_is_not_approved_is_refused_and_the_refusal_audited(
    app, event, staff, ben, status
):
    code = token(ben)
    ben.status = status

    answer = scan(event, code, actor=staff, door=Door("Main entrance"))

    assert answer.outcome == Outcome.REFUSED
    assert "not admitted" in answer.message and answer.person.name == "ben"
    assert count(CheckIn) == 0
    [refusal] = audited("check_in.refused")
    assert refusal.object_id == ben.id and refusal.details["reason"] == status


def test_a_revoked_badge_is_refused_as_revoked(app, event, staff, ben):
    old = token(ben)
    badges.reissue_badge(ben, actor=staff, reason="Lost at the hotel")

    answer = scan(event, old, actor=staff, door=Door())

    assert answer.outcome == Outcome.REFUSED
    assert "revoked" in answer.message and "Lost at the hotel" in answer.message
    assert audited("check_in.refused")[0].details["reason"] == "revoked"
    assert scan(event, token(ben), actor=staff, door=Door()).outcome == Outcome.CHECKED_IN


def test_an_unknown_badge_is_refused_and_the_refusal_audited_on_the_event(app, event, staff):
    answer = scan(event, "A" * 26, actor=staff, door=Door())

    assert answer.outcome == Outcome.REFUSED and answer.person is None
    assert "Unknown badge" in answer.message
    [refusal] = audited("check_in.refused")
    assert refusal.object_type == "event" and refusal.details["reason"] == "unknown"


def test_a_badge_of_another_event_is_unknown_here(app, event, staff):
    from tests.factories import make_event

    other = make_event(slug="vgt-2015")
    stranger = approved(other, "stranger@police.example")

    assert scan(event, token(stranger), actor=staff, door=Door()).outcome == Outcome.REFUSED


def test_nothing_scanned_is_refused_as_bad_input(app, event, staff):
    with pytest.raises(InvalidCode):
        scan(event, "   ", actor=staff, door=Door())


def test_at_a_sessions_door_the_desk_records_who_came_once(app, event, staff, ben):
    session = workshop(event, "Live streaming: tracing the viewers", capacity=20)
    door = door_at(event, session.id, "Amstel room")

    first = scan(event, token(ben), actor=staff, door=door)
    second = scan(event, token(ben), actor=staff, door=door)

    assert first.outcome == Outcome.CHECKED_IN and "Live streaming" in first.message
    assert second.outcome == Outcome.ALREADY and "at this session" in second.message
    assert count(SessionAttendance) == 1 and count(CheckIn) == 0
    assert [p.came for p in arrivals.workshop_attendance(session)] == [True]


def test_the_offline_copy_holds_what_the_desk_shows_and_hashes_not_tokens(app, event, staff, ben):
    code = token(ben)
    register(event, "pending@police.example")
    scan(event, code, actor=staff, door=Door())

    copy = desk_copy(event, now=ON_THE_FIRST_DAY)

    assert [p["reference"] for p in copy["people"]] == [ben.reference]
    [entry] = copy["people"]
    assert entry["badge"] == hash_of(ben) and code not in str(copy)
    assert entry["checked_in_by"] == "Olga" and entry["checked_in_at"]
    assert set(entry) == {
        "name", "organisation", "country", "role", "needs", "reference",
        "badge", "checked_in_at", "checked_in_by",
    }  # fmt: skip
    assert "ben@police.example" not in str(copy) and "Vegetarian" not in str(copy)
    assert copy["expires_at"] == event.ends_at.isoformat()


def test_once_the_event_is_over_no_desk_gets_a_copy(app, event, staff, ben):
    with pytest.raises(EventOver, match="is over"):
        desk_copy(event, now=event.ends_at)


def item(registration, at: datetime, **fields) -> dict:
    return {"id": f"desk-{registration.id}-{at:%H%M%S}", "badge": hash_of(registration),
            "at": at.isoformat(), **fields}  # fmt: skip


def test_a_sync_takes_each_check_in_once_and_keeps_the_earliest_time(app, event, staff, ben):
    now = utcnow()
    later, earlier = now - timedelta(minutes=5), now - timedelta(minutes=30)

    first = sync(event, [item(ben, later), item(ben, later)], actor=staff, desk="Desk A")
    second = sync(event, [item(ben, earlier)], actor=staff, desk="Desk B")

    assert [a["outcome"] for a in first] == ["checked_in", "already"]
    assert second[0]["outcome"] == "already"
    [arrival] = db.session.scalars(sa.select(CheckIn)).all()
    assert arrival.checked_in_at == earlier and arrival.desk == "Desk B"
    assert arrival.day == arrivals.day_to_show(event, now=earlier)
    assert len(audited("check_in.earlier_time")) == 1
    # A desk that sends a later time again changes nothing.
    sync(event, [item(ben, later)], actor=staff, desk="Desk A")
    assert db.session.scalars(sa.select(CheckIn.checked_in_at)).all() == [earlier]


def test_a_badge_revoked_while_the_desk_was_offline_is_refused_at_the_sync(app, event, staff, ben):
    scanned = item(ben, utcnow() - timedelta(minutes=10))
    badges.revoke_badge(ben, actor=staff, reason="Reported stolen")

    [answer] = sync(event, [scanned], actor=staff, desk="Desk A")

    assert answer["outcome"] == "refused" and "Reported stolen" in answer["message"]
    assert answer["id"] == scanned["id"]
    assert count(CheckIn) == 0


def test_a_badge_the_desk_refused_offline_is_audited_at_the_sync_and_never_let_in(
    app, event, staff, ben
):
    unknown = {**item(ben, utcnow() - timedelta(minutes=10)), "badge": "ab" * 32}
    # Issued after the desk's copy was made: refused offline, and not let in afterwards.
    too_new = {**item(ben, utcnow() - timedelta(minutes=9)), "refused": True}

    answers = sync(event, [{**unknown, "refused": True}, too_new], actor=staff, desk="Desk A")

    assert [a["outcome"] for a in answers] == ["refused", "refused"]
    assert count(CheckIn) == 0
    refusals = audited("check_in.refused")
    assert [(e.details["reason"], e.details["desk"]) for e in refusals] == [
        ("offline", "Desk A")
    ] * 2
    assert [e.object_type for e in refusals] == ["event", "registration"]


def test_a_registration_cancelled_while_the_desk_was_offline_is_refused_at_the_sync(
    app, event, staff, ben
):
    scanned = item(ben, utcnow() - timedelta(minutes=10))
    workflow.change_status(ben, Status.CANCELLED, actor=None, now=utcnow())

    assert sync(event, [scanned], actor=staff, desk="")[0]["outcome"] == "refused"


@pytest.mark.parametrize(
    "bad, problem",
    [
        ("not a dict", "Not a check-in"),
        ({"badge": "0" * 64, "at": "2014-11-05T08:00:00+00:00"}, "desk's id"),
        ({"id": "x" * 65, "badge": "0" * 64}, "desk's id"),
        ({"id": "1", "badge": "not-a-hash", "at": "now"}, "SHA-256"),
        ({"id": "1", "at": "2014-11-05T08:00:00+00:00"}, "either a badge or a reference"),
        ({"id": "1", "badge": "0" * 64, "reference": "VGT14-AAAA"}, "either a badge"),
        ({"id": "1", "reference": 42}, "up to 20"),
        ({"id": "1", "badge": "0" * 64, "at": "yesterday"}, "ISO 8601"),
        ({"id": "1", "badge": "0" * 64, "at": 12}, "ISO 8601"),
        ({"id": "1", "badge": "0" * 64, "at": "2026-01-01T08:00:00"}, "time zone"),
        ({"id": "1", "badge": "0" * 64, "at": "2001-01-01T08:00:00+00:00"}, "clock"),
        ({"id": "1", "badge": "0" * 64, "at": "NOW", "session": True}, "ISO 8601"),
    ],
)
def test_each_bad_item_of_a_batch_is_refused_alone(app, event, staff, ben, bad, problem):
    good = item(ben, utcnow())

    answers = sync(event, [bad, good], actor=staff, desk="")

    assert answers[0]["outcome"] == "invalid" and problem in answers[0]["message"]
    assert answers[1]["outcome"] == "checked_in"


def test_an_item_for_a_session_of_another_event_or_none_is_refused_alone(app, event, staff, ben):
    bad_session = {**item(ben, utcnow()), "session": 999999}
    not_a_number = {**item(ben, utcnow()), "id": "2", "session": "3"}

    answers = sync(event, [bad_session, not_a_number], actor=staff, desk="")

    assert [a["outcome"] for a in answers] == ["invalid", "invalid"]
    assert count(CheckIn) == 0


@pytest.mark.parametrize("batch", [None, {}, [], "items", [{}] * 501])
def test_a_batch_that_is_not_a_list_of_check_ins_is_refused(app, event, staff, batch):
    with pytest.raises(InvalidBatch):
        sync(event, batch, actor=staff, desk="")


def test_the_desk_checks_in_for_the_events_first_day_before_it_begins(app, event, staff, ben):
    scan(event, token(ben), actor=staff, door=Door())

    assert db.session.scalars(sa.select(CheckIn.day)).all() == [FIRST_DAY]
