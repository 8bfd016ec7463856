"""The On site page in a real browser: the arrival counts follow the desk without a reload."""

import pytest
from playwright.sync_api import expect

from conference.extensions import db
from conference.models import Registration
from tests.browser.conftest import Screenshots, phone_sized
from tests.factories import PASSWORD, approved, current_code, make_event, make_organiser
from tests.on_site_helpers import FIRST_DAY, check_in

pytestmark = pytest.mark.browser

ORGANISER_EMAIL = "organiser@politie.example"


@pytest.fixture
def app_settings() -> dict:
    return {"WTF_CSRF_ENABLED": True}


@pytest.fixture
def delegates(live_server) -> list[int]:
    with live_server.app.app_context():
        event = make_event()
        make_organiser(event, ORGANISER_EMAIL)
        people = [
            approved(event, f"{name}@police.example")
            for name in ("anna.de.vries", "ben.okafor", "carla.mendes", "dmitri.ivanov")
        ]
        check_in(people[0], FIRST_DAY)
        db.session.commit()
        return [registration.id for registration in people]


def test_the_counts_change_when_the_desk_checks_someone_in(live_server, open_page, delegates):
    shots = Screenshots("on-site")
    page = open_page()
    console_errors = []
    page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
    page.goto("/account/login")
    page.get_by_label("Email address").fill(ORGANISER_EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_label("Code").fill(current_code())
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("navigation", name="Back office").get_by_role("link", name="On site").click()

    first_day = page.locator('[data-day="2014-11-05"]')
    expect(first_day.locator("[data-checked-in]")).to_have_text("1")
    expect(first_day.locator("[data-expected]")).to_have_text("4")
    page.evaluate("window.notReloaded = true")
    shots.take(page, "desktop")

    with live_server.app.app_context():  # the desk, elsewhere in the building
        check_in(db.session.get(Registration, delegates[1]), FIRST_DAY)
        db.session.commit()

    expect(first_day.locator("[data-checked-in]")).to_have_text("2")
    expect(first_day.locator("[data-still-expected]")).to_have_text("2")
    expect(page.locator("#counts-status")).to_contain_text("Counted at")
    assert page.evaluate("window.notReloaded") is True
    with phone_sized(page, {"width": 360, "height": 800}):
        shots.take(page, "phone")
    assert console_errors == []
