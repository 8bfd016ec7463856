"""The programme editor in a real browser: create a session, see a room clash refused, publish."""

import re
from datetime import date, time

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from conference.demo import seed_demo
from conference.extensions import db
from conference.models import Event
from conference.services.programme import rooms_tracks_speakers, timetable
from conference.services.programme.rooms_tracks_speakers import (
    RoomDetails,
    SpeakerDetails,
    TrackDetails,
)
from conference.services.programme.timetable import SessionDetails, SessionSpeakerDetails
from tests.browser.conftest import Screenshots, log_in, phone_sized
from tests.factories import make_event, make_organiser

pytestmark = pytest.mark.browser

ORGANISER_EMAIL = "organiser@politie.example"


@pytest.fixture
def app_settings() -> dict:
    return {"WTF_CSRF_ENABLED": True}


@pytest.fixture
def vgt_2014(live_server) -> None:
    """The VGT 2014 conference with three rooms, two tracks, speakers and a first day's plan."""
    with live_server.app.app_context():
        event = make_event()
        organiser = make_organiser(event, ORGANISER_EMAIL)
        auditorium, room_b, room_c = (
            rooms_tracks_speakers.save_room(event, RoomDetails(name, seats, n), actor=organiser)
            for n, (name, seats) in enumerate([("Auditorium", 200), ("Room B", 40), ("Room C", 30)])
        )
        victims = rooms_tracks_speakers.save_track(
            event, TrackDetails("Victim identification", "green"), actor=organiser
        )
        streaming = rooms_tracks_speakers.save_track(
            event, TrackDetails("Live streaming", "indigo"), actor=organiser
        )
        ruud, anna, troels = (
            rooms_tracks_speakers.save_speaker(
                event, SpeakerDetails(name, title=title), actor=organiser
            )
            for name, title in [
                ("Ruud Bik", "Deputy chief of police"),
                ("Anna Jansen", "Victim identification specialist"),
                ("Troels Oerting", "Head of the European Cybercrime Centre"),
            ]
        )

        def add(title, kind, starts, ends, room=None, track=None, parts=(), capacity=None):
            timetable.save_session(
                event,
                SessionDetails(
                    title=title,
                    kind=kind,
                    day=date(2014, 11, 5),
                    starts=starts,
                    ends=ends,
                    room_id=room.id if room else None,
                    track_id=track.id if track else None,
                    parts=tuple(parts),
                    capacity=capacity,
                ),
                actor=organiser,
            )

        add("Registration and coffee", "break", time(8, 30), time(9))
        add(
            "Opening by the Minister of Security and Justice",
            "plenary",
            time(9),
            time(10, 15),
            auditorium,
            parts=[SessionSpeakerDetails(ruud.id, "chair")],
        )
        add("Coffee", "break", time(10, 15), time(10, 45))
        add(
            "Identifying victims in abuse material",
            "workshop",
            time(10, 45),
            time(12, 15),
            room_b,
            victims,
            [SessionSpeakerDetails(anna.id)],
            capacity=30,
        )
        add(
            "Live streaming: abuse to order",
            "panel",
            time(10, 45),
            time(12, 15),
            auditorium,
            streaming,
            [SessionSpeakerDetails(troels.id, "moderator"), SessionSpeakerDetails(ruud.id)],
        )
        db.session.commit()


def test_an_organiser_builds_the_timetable_and_publishes_it(vgt_2014, live_server, open_page):
    shots = Screenshots("timetable")
    page = open_page()
    console_errors = []
    page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
    log_in(page, ORGANISER_EMAIL, two_factor=True)
    expect(page.get_by_role("navigation", name="Back office")).to_be_visible()

    page.get_by_role("navigation", name="Back office").get_by_role("link", name="Programme").click()
    expect(page.get_by_role("heading", name="Programme", exact=True)).to_be_visible()
    expect(page.locator("#programme-state")).to_contain_text("Not yet published")
    grid = page.locator("#day-2014-11-05 table.timetable")
    expect(grid.get_by_role("columnheader")).to_have_text(
        ["Time", "Auditorium (200)", "Room B (40)", "Room C (30)"]
    )
    expect(grid.locator("#session-2")).to_have_attribute("rowspan", "5")  # 09:00 to 10:15
    shots.take(page, "editor")
    with phone_sized(page):
        expect(page.locator("#day-2014-11-05 .timetable-list")).to_be_visible()
        shots.take(page, "editor, phone")

    # A new session on the second day.
    page.get_by_role("link", name="New session").click()
    page.get_by_label("Title").fill("Tracing offenders across borders")
    page.get_by_label("Kind").select_option("Workshop")
    page.get_by_label("Day").fill("2014-11-06")
    page.get_by_label("Starts").fill("14:00")
    page.get_by_label("Ends").fill("15:30")
    page.get_by_label("Room").select_option("Room C")
    page.get_by_label("Track").select_option("Live streaming")
    page.get_by_label("Places for sign-up").fill("25")
    page.get_by_label("Speaker 1", exact=True).select_option(label="Troels Oerting")
    page.get_by_label("Role of speaker 1").select_option("Chair")
    shots.take(page, "new session")
    page.get_by_role("button", name="Save session").click()
    expect(page.get_by_text("“Tracing offenders across borders” is saved")).to_be_visible()
    new = page.locator("#day-2014-11-06 td.timetable-session")
    expect(new).to_contain_text("14:00–15:30 · Workshop · 25 places · Live streaming")
    expect(new).to_contain_text("Troels Oerting (chair)")
    expect(new).to_have_class(re.compile(r"\btag-indigo\b"))

    # Another session in the same room at the same time is refused, and says why.
    page.get_by_role("link", name="New session").click()
    page.get_by_label("Title").fill("Public awareness campaigns")
    page.get_by_label("Kind").select_option("Panel")
    page.get_by_label("Day").fill("2014-11-06")
    page.get_by_label("Starts").fill("15:00")
    page.get_by_label("Ends").fill("16:00")
    page.get_by_label("Room").select_option("Room C")
    page.get_by_role("button", name="Save session").click()
    refusal = page.get_by_role("alert").filter(has_text="Not saved")
    expect(refusal).to_contain_text(
        "Room C already holds “Tracing offenders across borders” at that time "
        "(6 November, 14:00–15:30): two sessions cannot share a room."
    )
    expect(page.get_by_label("Room")).to_have_class(re.compile(r"\bis-invalid\b"))
    shots.take(page, "room clash refused")
    with phone_sized(page):
        shots.take(page, "room clash refused, phone")

    # A speaker in two places is only a warning: saved once confirmed.
    page.get_by_label("Room").select_option("Room B")
    page.get_by_label("Speaker 1", exact=True).select_option(label="Troels Oerting")
    page.get_by_role("button", name="Save session").click()
    expect(page.get_by_role("alert").filter(has_text="please check")).to_contain_text(
        "Troels Oerting is also in “Tracing offenders across borders” at that time"
    )
    shots.take(page, "speaker warning")
    page.get_by_label("Save anyway").check()
    page.get_by_role("button", name="Save session").click()
    expect(page.get_by_text("“Public awareness campaigns” is saved")).to_be_visible()

    # Publishing makes it the public's version.
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text("Published version 1: the public now sees")).to_be_visible()
    expect(page.locator("#programme-state")).to_contain_text("Version 1, published on")
    expect(page.get_by_role("button", name="Publish")).to_be_disabled()
    shots.take(page, "published")

    with phone_sized(page):
        shots.take(page, "published, phone")
    page.get_by_role("link", name="Rooms", exact=True).click()
    expect(page.get_by_role("heading", name="Rooms")).to_be_visible()
    shots.take(page, "rooms")
    page.get_by_role("link", name="Room B").click()
    page.get_by_role("button", name="Delete Room B").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "Room B cannot be deleted: it holds 2 sessions"
    )
    shots.take(page, "room delete refused")
    # Each page is awaited before the next click: the lists share their links, and a click on
    # the page still showing would race the navigation under way.
    page.get_by_role("navigation", name="breadcrumb").get_by_role("link", name="Rooms").click()
    expect(page.get_by_role("heading", name="Rooms")).to_be_visible()
    page.get_by_role("link", name="Tracks", exact=True).click()
    expect(page.get_by_role("heading", name="Tracks")).to_be_visible()
    shots.take(page, "tracks")
    page.get_by_role("link", name="Speakers", exact=True).click()
    expect(page.get_by_role("heading", name="Speakers")).to_be_visible()
    shots.take(page, "speakers")
    page.get_by_role("link", name="Ruud Bik").click()
    expect(page.get_by_role("heading", name="Edit Ruud Bik")).to_be_visible()
    shots.take(page, "speaker form")
    assert [e for e in console_errors if "Content Security Policy" in e] == []


@pytest.fixture
def seeded_demo(live_server) -> None:
    """The demo as `flask seed-demo` leaves it, and an organiser of it."""
    with live_server.app.app_context():
        seed_demo()
        make_organiser(db.session.scalars(sa.select(Event)).one(), ORGANISER_EMAIL)
        db.session.commit()


def test_the_freshly_seeded_demo_says_the_public_sees_the_programme(seeded_demo, open_page):
    shots = Screenshots("seeded-editor")
    page = open_page()
    log_in(page, ORGANISER_EMAIL, two_factor=True)
    expect(page.get_by_role("navigation", name="Back office")).to_be_visible()
    page.goto("/vgt-2014/organiser/programme")

    state = page.locator("#programme-state")
    expect(state).to_contain_text("Version 1, published on")
    expect(state).not_to_contain_text("unpublished")
    expect(page.get_by_role("button", name="Publish")).to_be_disabled()
    shots.take(page, "published")
    page.set_viewport_size({"width": 360, "height": 780})
    shots.take(page, "published, 360 px")
