"""A visa invitation letter in a real browser: the delegate gives the passport details, the
organisers see them on the Letters page, and an embassy checks the code on a phone."""

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from conference.extensions import db
from conference.models import VisaLetter
from conference.services.on_site.visa_letters import code_of
from tests.browser.conftest import Screenshots, log_in, phone_sized
from tests.factories import make_event, make_organiser
from tests.on_site_helpers import asked_for_letter, letter_worded

pytestmark = pytest.mark.browser

ORGANISER_EMAIL = "organiser@politie.example"
DELEGATE_EMAIL = "siriporn@dsi.example"


@pytest.fixture
def app_settings() -> dict:
    return {"WTF_CSRF_ENABLED": True}


@pytest.fixture
def siriporn(live_server) -> None:
    with live_server.app.app_context():
        event = letter_worded(make_event())
        make_organiser(event, ORGANISER_EMAIL)
        asked_for_letter(event, DELEGATE_EMAIL)
        db.session.commit()


def test_a_letter_from_the_delegates_details_to_the_embassys_check(
    live_server, open_page, siriporn
):
    shots = Screenshots("visa-letter")
    delegate = open_page()
    log_in(delegate, DELEGATE_EMAIL)
    delegate.goto("/vgt-2014/registration")
    letter = delegate.locator("#visa-letter")
    letter.get_by_label("Name as in your passport").fill("Siriporn Chaiyaporn")
    delegate.get_by_role("searchbox", name="Search the list of countries").fill("thai")
    expect(letter.get_by_role("combobox", name="Nationality")).to_have_value("TH")
    letter.get_by_label("Date of birth").fill("1979-03-14")
    letter.get_by_label("Passport number").fill("AA1234567")
    shots.take(delegate, "the delegate's form")
    with phone_sized(delegate, {"width": 360, "height": 800}):
        shots.take(delegate, "the delegate's form on a phone")
    letter.get_by_role("button", name="Save and prepare my letter").click()

    expect(delegate.get_by_role("link", name="Download invitation letter (PDF)")).to_be_visible()
    with delegate.expect_download() as download:
        delegate.get_by_role("link", name="Download invitation letter (PDF)").click()
    assert download.value.suggested_filename.startswith("vgt-2014-invitation-letter-")
    shots.take(delegate, "the letter ready")

    organiser = open_page()
    log_in(organiser, ORGANISER_EMAIL, two_factor=True)
    organiser.get_by_role("navigation", name="Back office").get_by_role(
        "link", name="Letters"
    ).click()
    row = organiser.get_by_role("row", name="Siriporn")
    expect(row).to_contain_text("AA1234567")
    expect(row).to_contain_text("1 time")
    shots.take(organiser, "the organisers' letters page")
    with phone_sized(organiser, {"width": 360, "height": 800}):
        shots.take(organiser, "the organisers' letters page on a phone")

    organiser.get_by_role("navigation", name="Back office").get_by_role(
        "link", name="Settings"
    ).click()
    wording = organiser.get_by_role("group", name="Visa invitation letters")
    expect(wording.get_by_label("Signed by")).to_have_value("Ruud Bik")
    wording.scroll_into_view_if_needed()
    shots.take(organiser, "the letter's wording in the settings")
    with phone_sized(organiser, {"width": 360, "height": 800}):
        shots.take(organiser, "the settings on a phone")
    organiser.go_back()

    with live_server.app.app_context():
        code = code_of(db.session.scalars(sa.select(VisaLetter)).one())
    embassy = open_page()
    with phone_sized(embassy, {"width": 360, "height": 800}):
        embassy.goto("/vgt-2014/verify-letter")
        embassy.get_by_label("Verification code").fill(code.replace("-", " ").lower())
        embassy.get_by_role("button", name="Check the letter").click()
        expect(embassy.get_by_test_id("letter-check")).to_contain_text("This letter is valid.")
        expect(embassy.get_by_test_id("letter-check")).to_contain_text("Thailand")
        shots.take(embassy, "the verification page on a phone")

    row.get_by_text("Withdraw", exact=True).click()
    row.get_by_label("Reason to withdraw").fill("Travel cancelled by the unit")
    shots.take(organiser, "withdrawing a letter")
    row.get_by_role("button", name="Withdraw VGT14-").click()
    expect(organiser.get_by_role("row", name="Siriporn")).to_contain_text(
        "Travel cancelled by the unit"
    )
    shots.take(organiser, "the letter withdrawn")
    with phone_sized(embassy, {"width": 360, "height": 800}):
        embassy.get_by_label("Verification code").fill(code)
        embassy.get_by_role("button", name="Check the letter").click()
        expect(embassy.get_by_test_id("letter-check")).to_contain_text("This letter was withdrawn")
        shots.take(embassy, "a withdrawn letter on a phone")
