"""An organiser turns on two-factor log-in in a real browser: QR code, code, recovery codes."""

import re

import pyotp
import pytest
from playwright.sync_api import expect

from conference.extensions import db
from tests.browser.conftest import Screenshots
from tests.conftest import PASSWORD, make_event, make_organiser

pytestmark = pytest.mark.browser


@pytest.fixture
def newcomer(live_server) -> str:
    with live_server.app.app_context():
        member = make_organiser(make_event(), "newcomer@politie.example")
        member.totp_secret = member.totp_enabled_at = None
        db.session.commit()
        return member.email


def test_an_organiser_turns_on_two_factor_log_in_before_the_back_office(newcomer, open_page):
    shots = Screenshots("two-factor")
    page = open_page()
    page.goto("/account/login?next=/vgt-2014/organiser/registrations")
    page.get_by_label("Email address").fill(newcomer)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    expect(page.get_by_role("heading", name="Set up two-factor log-in")).to_be_visible()
    qr_code = page.get_by_role("img", name="QR code for your authenticator app")
    expect(qr_code).to_be_visible()
    # The image arrives after the page: its size can be read only once it has finished loading.
    expect(qr_code).to_have_js_property("complete", True)
    assert qr_code.evaluate("image => image.naturalWidth") > 100, "the QR code image loads"
    shots.take(page, "setup")
    secret = page.locator("code.user-select-all").inner_text()
    page.get_by_label("Code from your app").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Turn on two-factor log-in").click()

    expect(page.get_by_role("heading", name="Two-factor log-in is on")).to_be_visible()
    codes = page.locator(".recovery-codes code").all_inner_texts()
    assert len(codes) == 10 and all(
        re.fullmatch(r"[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}", c) for c in codes
    )
    shots.take(page, "recovery codes")
    page.get_by_role("link", name="I have saved them, continue").click()
    expect(page.get_by_role("heading", name="Registrations")).to_be_visible()
