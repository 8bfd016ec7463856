"""The public programme in a real browser: the grid on a wide screen, the list on a phone."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from conference.extensions import db
from conference.models import ProgrammeSession
from tests.browser.conftest import Screenshots, phone_sized
from tests.factories import amsterdam, build_programme, make_event, make_organiser
from tests.programme_data import publish

pytestmark = pytest.mark.browser

PROGRAMME = "/vgt-2014/programme"


@pytest.fixture
def published_programme(live_server) -> None:
    """Eighteen sessions over two days, one of an hour, a lunch for everyone, and on the first
    day a working lunch in a room that the lunch for everyone crosses."""
    with live_server.app.app_context():
        event = make_event()
        organiser = make_organiser(event)
        rows = build_programme(event, sessions=18, speakers=24)
        rows.sessions[0].title = "Opening: sharing knowledge so more victims are identified"
        rows.sessions[12].ends_at = rows.sessions[12].starts_at + timedelta(hours=1)
        for day in (0, 1):
            db.session.add(
                ProgrammeSession(
                    event_id=event.id,
                    title="Lunch",
                    kind="break",
                    starts_at=amsterdam(day, 12, 30),
                    ends_at=amsterdam(day, 13, 30),
                )
            )
        db.session.add(
            ProgrammeSession(
                event_id=event.id,
                title="Working lunch: the next VGT operation",
                kind="panel",
                starts_at=amsterdam(0, 13),
                ends_at=amsterdam(0, 14),
                room_id=rows.rooms[1].id,
            )
        )
        db.session.commit()
        publish(event, organiser)


def watch_requests(page: Page) -> tuple[list[str], list[str]]:
    requested, console_errors = [], []
    page.on("request", lambda request: requested.append(request.url))
    page.on(
        "console",
        lambda message: console_errors.append(message.text) if message.type == "error" else None,
    )
    return requested, console_errors


def test_the_programme_is_a_grid_on_a_wide_screen_and_a_list_on_a_phone(
    published_programme, live_server, open_page
):
    shots = Screenshots("programme")
    page = open_page()
    requested, console_errors = watch_requests(page)

    page.goto("/vgt-2014/", wait_until="networkidle")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Programme").click()
    expect(page.get_by_role("heading", name="Programme", exact=True)).to_be_visible()
    grids, lists = page.locator("table.timetable"), page.locator(".programme-list")
    expect(grids.first).to_be_visible()
    expect(lists.first).to_be_hidden()
    expect(grids.first.get_by_role("columnheader", name="Main hall")).to_be_visible()
    opening = grids.first.get_by_role("link", name=re.compile("^Opening"))
    expect(opening).to_be_visible()
    # The working lunch cannot share the lunch's cells: it is listed under the grid.
    beside = page.locator("#day-2014-11-05 .timetable-unplaced")
    expect(beside).to_be_visible()
    expect(beside.get_by_role("link", name=re.compile("^Working lunch"))).to_be_visible()
    expect(beside).to_contain_text("13:00–14:00 · Panel · Room Amsterdam")
    expect(page.locator(".timetable-unplaced")).to_have_count(1)
    shots.take(page, "grid on a wide screen")

    # A track at a time.
    page.get_by_role("navigation", name="Tracks").get_by_role("link", name="Live streaming").click()
    expect(page).to_have_url(re.compile(r"\?track=\d+$"))
    expect(page.get_by_role("heading", name="Programme: Live streaming")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("^Opening"))).to_have_count(0)
    shots.take(page, "one track")

    # The second day, then a session and one of its speakers.
    page.get_by_role("link", name="All", exact=True).click()
    # The track's page has the same day links: wait for the whole programme before clicking one.
    expect(page.get_by_role("heading", name="Programme", exact=True)).to_be_visible()
    page.get_by_role("navigation", name="Days").get_by_role("link", name=re.compile("^Thu")).click()
    expect(page).to_have_url(re.compile("#day-2014-11-06$"))
    page.locator("table.timetable").first.get_by_role("link", name=re.compile("^Opening")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("^Opening"))
    expect(page.get_by_text("Europe/Amsterdam time (CET)")).to_be_visible()
    shots.take(page, "session page")
    page.get_by_role("link", name="Speaker 00").click()
    expect(page.get_by_role("heading", name="Speaker 00")).to_be_visible()
    shots.take(page, "speaker page")

    with phone_sized(page):
        page.goto(PROGRAMME, wait_until="networkidle")
        expect(page.locator("table.timetable").first).to_be_hidden()
        phone_list = page.locator(".programme-list").first
        expect(phone_list).to_be_visible()
        expect(phone_list.get_by_role("link", name=re.compile("^Opening"))).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        shots.take(page, "list on a phone")
        phone_list.get_by_role("link", name=re.compile("^Session 02")).click()
        expect(page.get_by_text("20 places, by sign-up")).to_be_visible()
        place = page.get_by_test_id("workshop-place")
        expect(
            place.get_by_text("Places are for delegates with an approved registration")
        ).to_be_visible()
        expect(place.get_by_role("link", name="Log in")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        shots.take(page, "workshop on a phone")

    elsewhere = [url for url in requested if not url.startswith(live_server.url + "/")]
    assert requested and elsewhere == [], f"resources from other hosts: {elsewhere}"
    csp_violations = [text for text in console_errors if "Content Security Policy" in text]
    assert csp_violations == [], csp_violations
