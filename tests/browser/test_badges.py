"""Badges in a real browser: the organiser prints a delegate's badge from the registration's
page, revokes it when it is lost, and the delegate downloads their own; each file's QR code
leads the desk to the valid badge."""

import subprocess

import pytest
import zxingcpp
from PIL import Image
from playwright.sync_api import expect

from conference.extensions import db
from conference.services.on_site import badges
from tests.browser.conftest import Screenshots, log_in, phone_sized
from tests.factories import approved, make_event, make_organiser

pytestmark = pytest.mark.browser

ORGANISER_EMAIL = "organiser@politie.example"
SPANISH = "María del Carmen Fernández-Castañeda y Rodríguez de la Serna"


@pytest.fixture
def app_settings() -> dict:
    return {"WTF_CSRF_ENABLED": True}


@pytest.fixture
def reference(live_server) -> str:
    with live_server.app.app_context():
        event = make_event()
        make_organiser(event, ORGANISER_EMAIL)
        maria = approved(event, "maria@policia.example")
        maria.user.name = SPANISH
        approved(event, "ben.okafor@police.example")
        db.session.commit()
        return maria.reference


def token_in(download, tmp_path) -> str:
    pdf = tmp_path / download.suggested_filename
    download.save_as(pdf)
    subprocess.run(
        ["pdftoppm", "-r", "150", "-png", "-singlefile", pdf, tmp_path / "b"], check=True
    )
    [code] = zxingcpp.read_barcodes(Image.open(tmp_path / "b.png"))
    return code.text


def test_print_revoke_and_print_again(live_server, open_page, reference, tmp_path):
    shots = Screenshots("badges")
    page = open_page()
    log_in(page, ORGANISER_EMAIL, two_factor=True)
    page.get_by_role("navigation", name="Back office").get_by_role("link", name="On site").click()
    expect(page.get_by_text("The badges of the 2 approved delegates")).to_be_visible()
    shots.take(page, "on-site-desktop")
    with phone_sized(page, {"width": 360, "height": 800}):
        shots.take(page, "on-site-phone")

    page.goto(f"/vgt-2014/organiser/registrations/{reference}")
    with page.expect_download() as printed:
        page.get_by_role("button", name="Download (A6)").click()
    first = token_in(printed.value, tmp_path)
    page.reload()
    expect(page.get_by_text("Delegate badge, issued")).to_be_visible()

    page.get_by_text("Lost or wrong badge").click()
    page.locator("#revoke-reason").fill("Lost at the hotel")
    page.get_by_role("button", name="Revoke badge").click()
    expect(page.get_by_text("The badge is revoked")).to_be_visible()
    expect(page.locator(".badge-history")).to_contain_text("“Lost at the hotel”")
    shots.take(page, "registration-desktop")
    with phone_sized(page, {"width": 360, "height": 800}):
        shots.take(page, "registration-phone")

    with page.expect_download() as again:
        page.get_by_role("button", name="Download (A6)").click()
    second = token_in(again.value, tmp_path)
    with live_server.app.app_context():
        assert not badges.badge_with_token(first).is_valid
        assert badges.badge_with_token(second).is_valid

    page.goto("/vgt-2014/organiser/registrations?status=approved")
    expect(page.get_by_text("Badges of the 2 approved registrations in this list")).to_be_visible()
    shots.take(page, "list-desktop")
    with phone_sized(page, {"width": 360, "height": 800}):
        shots.take(page, "list-phone")


def test_the_delegate_downloads_their_own_badge(live_server, open_page, reference, tmp_path):
    shots = Screenshots("own-badge")
    page = open_page()
    log_in(page, "maria@policia.example")
    page.goto("/vgt-2014/registration")
    shots.take(page, "desktop")
    with phone_sized(page, {"width": 360, "height": 800}):
        shots.take(page, "phone")

    with page.expect_download() as own:
        page.get_by_role("link", name="Download your badge (PDF)").click()

    token = token_in(own.value, tmp_path)
    with live_server.app.app_context():
        badge = badges.badge_with_token(token)
        assert badge.is_valid and badge.registration.reference == reference
