"""A delegate takes a copy of their data and erases their account in a real browser; the
organiser sees on the settings page when the event's personal data is purged."""

import json
from pathlib import Path

import pytest
from playwright.sync_api import expect

from conference.extensions import db
from tests.browser.conftest import Screenshots, log_in, phone_sized
from tests.factories import PASSWORD, approved, make_event, make_organiser

pytestmark = pytest.mark.browser

NARROW = {"width": 360, "height": 780}


@pytest.fixture
def app_settings() -> dict:
    return {"WTF_CSRF_ENABLED": True}


@pytest.fixture
def vgt_2014(live_server) -> None:
    with live_server.app.app_context():
        event = make_event()
        make_organiser(event)
        approved(event, "ana.lima@pf.example").user.name = "Ana Lima"
        db.session.commit()


def test_a_delegate_downloads_their_data_then_erases_their_account(vgt_2014, open_page):
    shots = Screenshots("privacy")
    page = open_page()
    log_in(page, "ana.lima@pf.example")
    page.goto("/account/")
    expect(page.get_by_role("heading", name="Your data")).to_be_visible()
    shots.take(page, "account page")
    with phone_sized(page, NARROW):
        shots.take(page, "account page, phone")

    with page.expect_download() as download:
        page.get_by_role("link", name="Download your data").click()
    data = json.loads(Path(download.value.path()).read_text())
    assert data["account"]["name"] == "Ana Lima"

    page.get_by_role("link", name="Erase your account").click()
    page.get_by_label("Your password").fill("not my password at all")
    page.get_by_role("button", name="Erase my account").click()
    expect(page.get_by_text("That is not your password.")).to_be_visible()
    shots.take(page, "erase, wrong password")
    with phone_sized(page, NARROW):
        shots.take(page, "erase, phone")
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Erase my account").click()
    expect(page.get_by_text("Your account is erased.")).to_be_visible()
    log_in(page, "ana.lima@pf.example")
    expect(page.get_by_text("That email address and password do not match.")).to_be_visible()


def test_the_organiser_sees_when_the_personal_data_is_purged(vgt_2014, open_page):
    shots = Screenshots("privacy-settings")
    page = open_page()
    log_in(page, "organiser@politie.example", two_factor=True)
    page.goto("/vgt-2014/organiser/settings")
    retention = page.get_by_role("group", name="Personal data")
    expect(retention).to_contain_text("Due since 7 Nov 2015")
    expect(retention.get_by_label("Months to keep personal data after the event")).to_have_value(
        "12"
    )
    retention.scroll_into_view_if_needed()
    shots.take(page, "settings")
    with phone_sized(page, NARROW):
        shots.take(page, "settings, phone")
