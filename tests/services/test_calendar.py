"""The iCalendar feeds, read back with the icalendar package as a calendar app would read them."""

from datetime import UTC, datetime

import pytest
from icalendar import Calendar

from conference.extensions import db
from conference.models import SessionKind, Speaker, SpeakerRole
from conference.services.programme import calendar, workshops
from conference.services.programme.agenda import agenda_of
from conference.services.programme.publishing import published_programme
from conference.services.registration import workflow
from tests.factories import approved, local, make_event, publisher, session, workshop
from tests.workshop_helpers import publish

SECRET = "a secret for the tests"
PUBLISHED_AT = datetime(2014, 10, 20, 12, 0, tzinfo=UTC)


@pytest.fixture
def event(app):
    return make_event()


@pytest.fixture
def sessions(event):
    europol = event.organisations[1].organisation
    piotr = Speaker(event=event, name="Piotr Kowalski", organisation=europol)
    ruud = Speaker(event=event, name="Ruud Bik", organisation_other="Dutch National Police")
    opening = session(
        event,
        "Opening",
        kind=SessionKind.PLENARY,
        starts=local(5, 9),
        ends=local(5, 10),
        room_name="Auditorium",
        abstract="Welcome by the Minister of Security and Justice.",
        speakers=[(ruud, SpeakerRole.CHAIR), (piotr, SpeakerRole.SPEAKER)],
    )
    panel = session(
        event, "Industry panel", kind=SessionKind.PANEL, starts=local(5, 10), ends=local(5, 11)
    )
    finding = workshop(event, "Finding the child", capacity=1)
    streaming = workshop(event, "Live streaming", capacity=1, day=6)
    publish(event, now=PUBLISHED_AT)
    return {"opening": opening, "panel": panel, "finding": finding, "streaming": streaming}


def programme_feed(event) -> Calendar:
    return parse(calendar.programme_calendar(event, published_programme(event)))


def parse(body: bytes) -> Calendar:
    assert body.startswith(b"BEGIN:VCALENDAR")
    return Calendar.from_ical(body)


def events_by_uid(cal: Calendar) -> dict:
    return {str(entry["UID"]): entry for entry in cal.walk("VEVENT")}


def test_the_programme_feed_carries_amsterdam_time_with_its_time_zone(event, sessions):
    cal = programme_feed(event)

    [zone] = cal.walk("VTIMEZONE")
    assert str(zone["TZID"]) == "Europe/Amsterdam"
    opening = events_by_uid(cal)[f"session-{sessions['opening'].id}@localhost"]
    assert opening["DTSTART"].params["TZID"] == "Europe/Amsterdam"
    assert b"DTSTART;TZID=Europe/Amsterdam:20141105T090000" in cal.to_ical()
    # 09:00 in Amsterdam in November (CET, UTC+1) is 08:00 UTC.
    assert opening.start.astimezone(UTC) == datetime(2014, 11, 5, 8, 0, tzinfo=UTC)
    assert opening.end.astimezone(UTC) == datetime(2014, 11, 5, 9, 0, tzinfo=UTC)
    assert cal.get_missing_tzids() == set()


def test_each_session_says_what_where_who_and_links_its_page(event, sessions):
    cal = programme_feed(event)
    entries = events_by_uid(cal)

    assert len(entries) == 4  # every published session
    opening = entries[f"session-{sessions['opening'].id}@localhost"]
    assert str(opening["SUMMARY"]) == "Opening"
    assert str(opening["LOCATION"]) == "Auditorium, Conference centre, Amsterdam"
    description = str(opening["DESCRIPTION"])
    assert description.startswith("Welcome by the Minister of Security and Justice.")
    assert "Ruud Bik, Dutch National Police (chair)" in description
    assert "Piotr Kowalski, Europol (speaker)" in description
    assert str(opening["URL"]) == (
        f"http://localhost/vgt-2014/programme/sessions/{sessions['opening'].id}"
    )
    assert opening["DTSTAMP"].dt == PUBLISHED_AT
    assert str(cal["X-WR-CALNAME"]) == "VGT 2014 programme"


def test_uids_stay_the_same_from_one_publication_to_the_next(event, sessions):
    first = set(
        events_by_uid(parse(calendar.programme_calendar(event, published_programme(event))))
    )
    sessions["panel"].title = "Industry and police panel"
    publish(event)
    second = programme_feed(event)

    assert set(events_by_uid(second)) == first
    renamed = events_by_uid(second)[f"session-{sessions['panel'].id}@localhost"]
    assert str(renamed["SUMMARY"]) == "Industry and police panel"


def test_the_personal_feed_has_the_sessions_for_everyone_and_ones_confirmed_workshops(
    event, sessions
):
    anna, ben = approved(event, "anna@police.example"), approved(event, "ben@police.example")
    workshops.sign_up(ben, sessions["streaming"].id, actor=ben.user)
    workshops.sign_up(anna, sessions["finding"].id, actor=anna.user)
    workshops.sign_up(anna, sessions["streaming"].id, actor=anna.user)  # the waiting list
    agenda = agenda_of(anna, published_programme(event))

    cal = parse(calendar.agenda_calendar(event, anna, agenda))

    assert set(events_by_uid(cal)) == {
        f"session-{sessions['opening'].id}@localhost",
        f"session-{sessions['panel'].id}@localhost",
        f"session-{sessions['finding'].id}@localhost",
    }
    assert str(cal["X-WR-CALNAME"]) == "VGT 2014: my agenda"
    assert [str(z["TZID"]) for z in cal.walk("VTIMEZONE")] == ["Europe/Amsterdam"]


# --- the private link -----------------------------------------------------------------------------


def test_the_private_link_opens_only_its_own_registration(event, sessions):
    anna, ben = approved(event, "anna@police.example"), approved(event, "ben@police.example")
    token = calendar.feed_token(anna, secret=SECRET)

    assert calendar.registration_for_feed(event, anna.reference, token, secret=SECRET) is anna
    assert calendar.registration_for_feed(event, ben.reference, token, secret=SECRET) is None
    assert calendar.registration_for_feed(event, anna.reference, token, secret="other") is None
    assert calendar.registration_for_feed(event, anna.reference, "0" * 32, secret=SECRET) is None
    assert calendar.feed_token(ben, secret=SECRET) != token


def test_a_new_link_revokes_the_old_one(event, sessions):
    anna = approved(event, "anna@police.example")
    old = calendar.feed_token(anna, secret=SECRET)

    calendar.renew_feed_link(anna, actor=anna.user)

    new = calendar.feed_token(anna, secret=SECRET)
    assert new != old
    assert calendar.registration_for_feed(event, anna.reference, old, secret=SECRET) is None
    assert calendar.registration_for_feed(event, anna.reference, new, secret=SECRET) is anna


def test_the_link_stops_working_when_the_registration_is_no_longer_approved(event, sessions):
    anna = approved(event, "anna@police.example")
    token = calendar.feed_token(anna, secret=SECRET)
    workflow.reject_registration(anna, actor=publisher(event), reason="Duplicate")
    db.session.flush()

    assert calendar.registration_for_feed(event, anna.reference, token, secret=SECRET) is None


def test_an_old_link_stays_dead_when_the_registration_is_approved_again(event, sessions):
    anna = approved(event, "anna@police.example")
    token = calendar.feed_token(anna, secret=SECRET)
    workflow.reject_registration(anna, actor=publisher(event), reason="Duplicate")
    workflow.approve_registration(anna, actor=publisher(event))
    db.session.flush()

    assert calendar.registration_for_feed(event, anna.reference, token, secret=SECRET) is None
    fresh = calendar.feed_token(anna, secret=SECRET)
    assert calendar.registration_for_feed(event, anna.reference, fresh, secret=SECRET) is anna
