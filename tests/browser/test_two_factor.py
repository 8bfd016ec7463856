"""An organiser turns on two-factor log-in in a real browser: QR code, code, recovery codes."""

import re
from pathlib import Path

import pyotp
import pytest
from playwright.sync_api import expect

from conference.extensions import db
from tests.browser.conftest import Screenshots, phone_sized
from tests.factories import PASSWORD, make_event, make_organiser

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
    with phone_sized(page):
        shots.take(page, "setup, phone")
    key = page.locator("code.user-select-all").inner_text()
    assert re.fullmatch(r"([A-Z2-7]{4} )*[A-Z2-7]{1,4}", key), "the key in groups of four"
    secret = key.replace(" ", "")
    page.get_by_label("Code from your app").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Turn on two-factor log-in").click()

    expect(page.get_by_role("heading", name="Two-factor log-in is on")).to_be_visible()
    codes = page.locator(".recovery-codes code").all_inner_texts()
    assert len(codes) == 10 and all(
        re.fullmatch(r"[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}", c) for c in codes
    )
    shots.take(page, "recovery codes")
    with phone_sized(page):
        shots.take(page, "recovery codes, phone")

    # Copy puts them on the clipboard, one a line.
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    copy = page.locator("button[data-copy-target=recovery-codes]")
    expect(copy).to_have_text("Copy")
    copy.click()
    expect(copy).to_have_text("Copied")  # once the clipboard has them
    assert page.evaluate("navigator.clipboard.readText()") == "\n".join(codes)

    # Download saves a text file of them.
    with page.expect_download() as download:
        page.get_by_role("link", name="Download").click()
    assert download.value.suggested_filename == "vgt-conference-recovery-codes.txt"
    text = Path(download.value.path()).read_text()
    assert text.startswith("VGT Conference: recovery codes for newcomer@politie.example\n")
    assert [line for line in text.splitlines() if line in codes] == codes

    # Print opens the browser's print dialogue (stood in for here) for a page of the codes alone.
    page.evaluate("window.print = () => { document.body.dataset.printed = 'yes'; }")
    page.get_by_role("button", name="Print").click()
    expect(page.locator("body")).to_have_attribute("data-printed", "yes")
    page.emulate_media(media="print")
    expect(page.get_by_role("navigation", name="Main")).to_be_hidden()
    expect(page.get_by_role("button", name="Copy")).to_be_hidden()
    expect(page.locator(".recovery-codes")).to_be_visible()
    shots.take(page, "recovery codes, printed")
    page.emulate_media(media="screen")

    page.get_by_role("link", name="I have saved them, continue").click()
    expect(page.get_by_role("heading", name="Registrations")).to_be_visible()
