"""What an offline desk sends once it is back online: each check-in once, at the desk's time,
the earliest of two desks kept, what changed meanwhile refused, bad items refused alone."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from conference.extensions import db
from conference.models import CheckIn
from conference.models import RegistrationStatus as Status
from conference.services.on_site import badges
from conference.services.on_site.desk_sync import MAX_BATCH, InvalidBatch, sync
from conference.services.registration import workflow
from tests.environment import audited, row_count
from tests.factories import approved, make_organiser
from tests.on_site_helpers import FIRST_DAY, SECOND_DAY, badge_hash_of

NOW = datetime(2014, 11, 6, 9, 15, tzinfo=UTC)  # the second morning, 10:15 in Amsterdam


@pytest.fixture
def staff(event):
    return make_organiser(event, "anna.staff@politie.example", role="check_in")


@pytest.fixture
def ben(event):
    return approved(event, "ben@police.example")


def item(registration, at: datetime, **fields) -> dict:
    return {"id": f"desk-{registration.id}-{at:%H%M%S}", "badge": badge_hash_of(registration),
            "at": at.isoformat(), **fields}  # fmt: skip


def test_a_sync_takes_each_check_in_once_and_keeps_the_earliest_time(app, event, staff, ben):
    now = NOW
    later, earlier = now - timedelta(minutes=5), now - timedelta(minutes=30)

    first = sync(event, [item(ben, later), item(ben, later)], actor=staff, desk="Desk A", now=NOW)
    second = sync(event, [item(ben, earlier)], actor=staff, desk="Desk B", now=NOW)

    assert [a["outcome"] for a in first] == ["checked_in", "already"]
    assert second[0]["outcome"] == "already"
    [arrival] = db.session.scalars(sa.select(CheckIn)).all()
    assert arrival.checked_in_at == earlier and arrival.desk == "Desk B"
    assert arrival.day == SECOND_DAY
    assert len(audited("check_in.earlier_time")) == 1
    # A desk that sends a later time again changes nothing.
    sync(event, [item(ben, later)], actor=staff, desk="Desk A", now=NOW)
    assert db.session.scalars(sa.select(CheckIn.checked_in_at)).all() == [earlier]


def test_a_badge_revoked_while_the_desk_was_offline_is_refused_at_the_sync(app, event, staff, ben):
    scanned = item(ben, NOW - timedelta(minutes=10))
    badges.revoke_badge(ben, actor=staff, reason="Reported stolen")

    [answer] = sync(event, [scanned], actor=staff, desk="Desk A", now=NOW)

    assert answer["outcome"] == "refused" and "Reported stolen" in answer["message"]
    assert answer["id"] == scanned["id"]
    assert row_count(CheckIn) == 0


def test_a_badge_the_desk_refused_offline_is_audited_at_the_sync_and_never_let_in(
    app, event, staff, ben
):
    unknown = {**item(ben, NOW - timedelta(minutes=10)), "badge": "ab" * 32}
    # Issued after the desk's copy was made: refused offline, and not let in afterwards.
    too_new = {**item(ben, NOW - timedelta(minutes=9)), "refused": True}

    answers = sync(
        event, [{**unknown, "refused": True}, too_new], actor=staff, desk="Desk A", now=NOW
    )

    assert [a["outcome"] for a in answers] == ["refused", "refused"]
    assert row_count(CheckIn) == 0
    refusals = audited("check_in.refused")
    assert [(e.details["reason"], e.details["desk"]) for e in refusals] == [
        ("offline", "Desk A")
    ] * 2
    assert [e.object_type for e in refusals] == ["event", "registration"]


def test_a_registration_cancelled_while_the_desk_was_offline_is_refused_at_the_sync(
    app, event, staff, ben
):
    scanned = item(ben, NOW - timedelta(minutes=10))
    workflow.change_status(ben, Status.CANCELLED, actor=None, now=NOW)

    assert sync(event, [scanned], actor=staff, desk="", now=NOW)[0]["outcome"] == "refused"


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
    good = item(ben, NOW)

    answers = sync(event, [bad, good], actor=staff, desk="", now=NOW)

    assert answers[0]["outcome"] == "invalid" and problem in answers[0]["message"]
    assert answers[1]["outcome"] == "checked_in"


def test_an_item_for_a_session_of_another_event_or_none_is_refused_alone(app, event, staff, ben):
    bad_session = {**item(ben, NOW), "session": 999999}
    not_a_number = {**item(ben, NOW), "id": "2", "session": "3"}

    answers = sync(event, [bad_session, not_a_number], actor=staff, desk="", now=NOW)

    assert [a["outcome"] for a in answers] == ["invalid", "invalid"]
    assert row_count(CheckIn) == 0


@pytest.mark.parametrize("batch", [None, {}, [], "items", [{}] * 501])
def test_a_batch_that_is_not_a_list_of_check_ins_is_refused(app, event, staff, batch):
    with pytest.raises(InvalidBatch):
        sync(event, batch, actor=staff, desk="", now=NOW)


def test_an_item_sent_with_no_time_is_a_scan_made_online_at_our_clocks_time(app, event, staff, ben):
    [answer] = sync(
        event, [{"id": "online", "badge": badge_hash_of(ben)}], actor=staff, desk="", now=NOW
    )

    assert answer["outcome"] == "checked_in" and answer["at"] == NOW.isoformat()
    assert db.session.scalars(sa.select(CheckIn.checked_in_at)).all() == [NOW]


def test_what_a_desk_saw_late_on_the_first_day_counts_for_the_first_day(app, event, staff, ben):
    late_evening = datetime(2014, 11, 5, 22, 50, tzinfo=UTC)  # 23:50 in Amsterdam

    sync(event, [item(ben, late_evening)], actor=staff, desk="Desk A", now=NOW)

    assert db.session.scalars(sa.select(CheckIn.day)).all() == [FIRST_DAY]


def test_what_a_desk_saw_the_day_before_the_event_is_refused_and_audited(app, event, staff, ben):
    first_morning = datetime(2014, 11, 5, 7, 0, tzinfo=UTC)
    the_evening_before = datetime(2014, 11, 4, 18, 0, tzinfo=UTC)

    [answer] = sync(
        event, [item(ben, the_evening_before)], actor=staff, desk="Desk A", now=first_morning
    )

    assert answer["outcome"] == "refused" and answer["message"] == "Check-in opens on 5 November."
    assert row_count(CheckIn) == 0
    assert audited("check_in.refused")[0].details["reason"] == "early"


def test_a_full_batch_is_taken(app, event, staff, ben):
    batch = [{**item(ben, NOW), "id": str(n)} for n in range(MAX_BATCH)]

    answers = sync(event, batch, actor=staff, desk="Desk A", now=NOW)

    assert [a["outcome"] for a in answers] == ["checked_in"] + ["already"] * (MAX_BATCH - 1)
