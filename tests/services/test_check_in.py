"""The check-in desk's rules: once per day of the event, refusals audited, a session's door."""

import base64
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from conference.extensions import db
from conference.models import CheckIn, SessionAttendance
from conference.models import RegistrationStatus as Status
from conference.services.audit.wording import Detail, entries_in_words
from conference.services.on_site import arrivals, badges
from conference.services.on_site.check_in import Door, Outcome, door_at, is_a_code, scan
from conference.services.on_site.desk_copy import EventOver, desk_copy, needs_key, search
from tests.environment import audited, row_count
from tests.factories import approved, make_organiser, register, workshop
from tests.on_site_helpers import FIRST_DAY, SECOND_DAY, badge_hash_of, badge_token_of

# The tests' event was on 5 and 6 November 2014; the desk's clock is pinned to its days.
ON_THE_FIRST_DAY = datetime(2014, 11, 5, 7, 42, tzinfo=UTC)  # 08:42 in Amsterdam


@pytest.fixture
def staff(event):
    return make_organiser(event, "anna.staff@politie.example", role="check_in")


@pytest.fixture
def ben(event):
    return approved(event, "ben@police.example")


def test_a_scanned_badge_checks_its_delegate_in_once_and_says_so_the_second_time(
    app, event, staff, ben
):
    staff.name = "Anna de Vries"
    first = scan(
        event, badge_token_of(ben), actor=staff, door=Door("Main entrance"), now=ON_THE_FIRST_DAY
    )
    second = scan(
        event,
        badge_token_of(ben).lower(),
        actor=staff,
        door=Door("Side door"),
        now=ON_THE_FIRST_DAY,
    )

    assert first.outcome == Outcome.CHECKED_IN and first.person.name == "ben"
    assert second.outcome == Outcome.ALREADY
    assert second.message.startswith("Already checked in today at ")
    assert second.message.endswith(" by Anna.")
    assert row_count(CheckIn) == 1
    assert len(audited("check_in.checked_in")) == 1
    assert arrivals.counts_per_day(event)[0].checked_in == 1


def test_the_desk_shows_who_it_is_their_role_and_what_to_take_care_of(app, event, staff):
    wheelchair = approved(event, "carla@police.example")
    wheelchair.accessibility_needs = "Wheelchair user: step-free route to the Amstel room"

    answer = scan(event, badge_token_of(wheelchair), actor=staff, door=Door(), now=ON_THE_FIRST_DAY)

    assert answer.person.organisation == "Federal Police Cybercrime Unit"
    assert answer.person.country == "Belgium"
    assert answer.person.role == "Delegate"
    assert answer.person.needs.startswith("Wheelchair user")


def test_someone_found_by_name_is_checked_in_by_their_reference_without_a_badge(
    app, event, staff, ben
):
    found = search(event, "BEN")

    answer = scan(event, found[0][1].reference, actor=staff, door=Door(), now=ON_THE_FIRST_DAY)

    assert answer.outcome == Outcome.CHECKED_IN
    assert db.session.scalars(sa.select(CheckIn.registration_id)).all() == [ben.id]


@pytest.mark.parametrize(
    "status", [Status.PENDING, Status.WAITLISTED, Status.REJECTED, Status.CANCELLED]
)
def test_a_registration_that_is_not_approved_is_refused_and_the_refusal_audited(
    app, event, staff, ben, status
):
    code = badge_token_of(ben)
    ben.status = status

    answer = scan(event, code, actor=staff, door=Door("Main entrance"), now=ON_THE_FIRST_DAY)

    assert answer.outcome == Outcome.REFUSED
    assert "not admitted" in answer.message and answer.person.name == "ben"
    assert row_count(CheckIn) == 0
    [refusal] = audited("check_in.refused")
    assert refusal.object_id == ben.id and refusal.details["reason"] == status


def test_a_revoked_badge_is_refused_as_revoked(app, event, staff, ben):
    old = badge_token_of(ben)
    badges.reissue_badge(ben, actor=staff, reason="Lost at the hotel")

    answer = scan(event, old, actor=staff, door=Door(), now=ON_THE_FIRST_DAY)

    assert answer.outcome == Outcome.REFUSED
    assert "revoked" in answer.message and "Lost at the hotel" in answer.message
    assert audited("check_in.refused")[0].details["reason"] == "revoked"
    assert (
        scan(event, badge_token_of(ben), actor=staff, door=Door(), now=ON_THE_FIRST_DAY).outcome
        == Outcome.CHECKED_IN
    )


def test_an_unknown_badge_is_refused_and_the_refusal_audited_on_the_event(app, event, staff):
    answer = scan(event, "A" * 26, actor=staff, door=Door(), now=ON_THE_FIRST_DAY)

    assert answer.outcome == Outcome.REFUSED and answer.person is None
    assert "Unknown badge" in answer.message
    [refusal] = audited("check_in.refused")
    assert refusal.object_type == "event" and refusal.details["reason"] == "unknown"


def test_a_badge_of_another_event_is_unknown_here(app, event, staff):
    from tests.factories import make_event

    other = make_event(slug="vgt-2015")
    stranger = approved(other, "stranger@police.example")

    assert (
        scan(
            event, badge_token_of(stranger), actor=staff, door=Door(), now=ON_THE_FIRST_DAY
        ).outcome
        == Outcome.REFUSED
    )


def test_a_badge_or_a_reference_is_a_code_and_anything_else_a_name_to_look_up(app, event, ben):
    assert is_a_code(badge_token_of(ben)) and is_a_code(badge_token_of(ben).lower())
    assert is_a_code(ben.reference) and is_a_code(ben.reference.lower())
    assert not is_a_code("Ben Okafor") and not is_a_code("Okafor")
    assert not is_a_code("MENDESVASCONCELOSDASILVA")  # a long name is no badge


def test_at_a_sessions_door_the_desk_records_who_came_once(app, event, staff, ben):
    session = workshop(event, "Live streaming: tracing the viewers", capacity=20)
    door = door_at(event, session.id, "Amstel room")

    first = scan(event, badge_token_of(ben), actor=staff, door=door, now=ON_THE_FIRST_DAY)
    second = scan(event, badge_token_of(ben), actor=staff, door=door, now=ON_THE_FIRST_DAY)

    assert first.outcome == Outcome.CHECKED_IN and "Live streaming" in first.message
    assert second.outcome == Outcome.ALREADY and "at this session" in second.message
    assert row_count(SessionAttendance) == 1 and row_count(CheckIn) == 0
    assert [p.came for p in arrivals.workshop_attendance(session)] == [True]


def test_the_offline_copy_holds_what_the_desk_shows_and_hashes_not_tokens(app, event, staff, ben):
    code = badge_token_of(ben)
    register(event, "pending@police.example")
    scan(event, code, actor=staff, door=Door(), now=ON_THE_FIRST_DAY)

    copy = desk_copy(event, now=ON_THE_FIRST_DAY)

    assert [p["reference"] for p in copy["people"]] == [ben.reference]
    [entry] = copy["people"]
    assert entry["badge"] == badge_hash_of(ben) and code not in str(copy)
    assert entry["checked_in_by"] == "Olga" and entry["checked_in_at"]
    assert set(entry) == {
        "name", "organisation", "country", "role", "reference", "has_needs", "needs_sealed",
        "badge", "checked_in_at", "checked_in_by",
    }  # fmt: skip
    assert "ben@police.example" not in str(copy) and "Vegetarian" not in str(copy)
    assert copy["expires_at"] == event.ends_at.isoformat()


def test_the_copy_holds_each_persons_needs_sealed_under_their_badge(app, event, staff, ben):
    ben.accessibility_needs = "Hearing loop in the plenary hall"
    carla = approved(event, "carla@police.example")  # no needs
    bens_token = badge_token_of(ben)  # his badge printed
    copy = desk_copy(event, now=ON_THE_FIRST_DAY)
    by_reference = {p["reference"]: p for p in copy["people"]}
    bens, carlas = by_reference[ben.reference], by_reference[carla.reference]

    assert "Hearing loop" not in str(copy)
    assert bens["has_needs"] and not carlas["has_needs"] and carlas["needs_sealed"] is None
    sealed = base64.b64decode(bens["needs_sealed"])
    opened = AESGCM(needs_key(bens_token)).decrypt(sealed[:12], sealed[12:], None)
    assert opened.decode() == "Hearing loop in the plenary hall"
    with pytest.raises(InvalidTag):  # what the copy holds of the badge does not open them
        AESGCM(bytes.fromhex(bens["badge"])).decrypt(sealed[:12], sealed[12:], None)


def test_once_the_event_is_over_no_desk_gets_a_copy(app, event, staff, ben):
    with pytest.raises(EventOver, match="is over"):
        desk_copy(event, now=event.ends_at)


def test_each_day_of_the_event_has_its_own_check_ins(app, event, staff, ben):
    second_morning = ON_THE_FIRST_DAY + timedelta(days=1)
    scan(event, badge_token_of(ben), actor=staff, door=Door(), now=ON_THE_FIRST_DAY)

    again = scan(event, badge_token_of(ben), actor=staff, door=Door(), now=second_morning)

    assert again.outcome == Outcome.CHECKED_IN
    assert db.session.scalars(sa.select(CheckIn.day).order_by(CheckIn.day)).all() == [
        FIRST_DAY,
        SECOND_DAY,
    ]
    assert [day.checked_in for day in arrivals.counts_per_day(event)] == [1, 1]


def test_a_check_in_counts_for_the_venues_day_not_the_utc_one(app, event, staff, ben):
    # 00:30 on the second day in Amsterdam is still the first day in UTC.
    just_after_midnight = datetime(2014, 11, 5, 23, 30, tzinfo=UTC)

    scan(event, badge_token_of(ben), actor=staff, door=Door(), now=just_after_midnight)

    assert db.session.scalars(sa.select(CheckIn.day)).all() == [SECOND_DAY]


@pytest.mark.parametrize(
    "moment, reason, message",
    [
        (datetime(2014, 10, 29, 9, 0, tzinfo=UTC), "early", "Check-in opens on 5 November."),
        (datetime(2014, 11, 4, 22, 59, tzinfo=UTC), "early", "Check-in opens on 5 November."),
        (datetime(2014, 11, 6, 23, 0, tzinfo=UTC), "over", "VGT 2014 is over."),
        (datetime(2026, 12, 2, 9, 0, tzinfo=UTC), "over", "VGT 2014 is over."),
    ],
)
def test_a_scan_on_a_day_that_is_not_the_events_is_refused_and_audited(
    app, event, staff, ben, moment, reason, message
):
    session = workshop(event, "Live streaming: tracing the viewers", capacity=20)

    at_the_entrance = scan(event, badge_token_of(ben), actor=staff, door=Door("Main"), now=moment)
    at_the_door = scan(
        event, badge_token_of(ben), actor=staff, door=door_at(event, session.id), now=moment
    )

    for answer in (at_the_entrance, at_the_door):
        assert answer.outcome == Outcome.REFUSED and answer.message == message
        assert answer.person.name == "ben"
    assert row_count(CheckIn) == 0 and row_count(SessionAttendance) == 0
    refusals = audited("check_in.refused")
    assert [(e.object_id, e.details["reason"]) for e in refusals] == [(ben.id, reason)] * 2
    assert refusals[0].details["seen_at"] == moment.isoformat()


def test_the_audit_log_says_why_the_desk_refused(app, event, staff, ben):
    scan(
        event, badge_token_of(ben), actor=staff, door=Door(), now=datetime(2014, 11, 1, tzinfo=UTC)
    )

    [entry] = audited("check_in.refused")
    details = entries_in_words(event, [entry], sensitive=True)[entry.id].details
    assert Detail("Refused because", "Before the event's first day") in details
