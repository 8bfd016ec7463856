"""The country search on the registration form reads names as people do: accents folded."""

import pytest
from playwright.sync_api import expect

from conference.extensions import db
from tests.browser.conftest import Screenshots, phone_sized
from tests.factories import PASSWORD, make_event, make_user, next_november

pytestmark = pytest.mark.browser


@pytest.fixture
def delegate(live_server) -> str:
    with live_server.app.app_context():
        make_event(**next_november())
        user = make_user("ayse@egm.example", name="Ayşe Yılmaz")
        db.session.commit()
        return user.email


def test_typing_a_country_without_its_accents_finds_it(delegate, open_page):
    shots = Screenshots("country-search")
    page = open_page()
    page.goto("/account/login?next=/vgt-2014/register")
    page.get_by_label("Email address").fill(delegate)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    country = page.get_by_role("combobox", name="Country")
    search = page.get_by_role("searchbox", name="Search the list of countries")

    search.fill("turk")
    expect(country.locator("option:not([hidden])")).to_have_text(
        ["Choose a country", "Türkiye", "Turkmenistan", "Turks and Caicos Islands"]
    )
    expect(country).to_have_value("TR")
    shots.take(page, "turk")
    search.fill("aland")
    expect(country).to_have_value("AX")
    search.fill("COTE")
    expect(country).to_have_value("CI")
    with phone_sized(page):
        shots.take(page, "cote on a phone")
