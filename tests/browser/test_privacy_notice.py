"""The privacy of a delegate in a real browser: they read the notice before the form, register
with no consent ticked, list themselves in the participant directory, where another approved
delegate finds them, and withdraw: gone at once.

Each person has a browser of their own on a live server with CSRF on.
"""

import re

import pytest
from playwright.sync_api import expect

from conference.extensions import db
from conference.services.privacy import notices
from tests.browser.conftest import Screenshots, log_in
from tests.factories import (
    approved,
    make_event,
    make_organiser,
    make_user,
    next_november,
)
from tests.services.test_privacy import NOTICE

pytestmark = pytest.mark.browser


@pytest.fixture
def app_settings() -> dict:
    return {"WTF_CSRF_ENABLED": True}


@pytest.fixture
def conference(live_server) -> None:
    """VGT 2014 next November, approving up to its capacity by itself: Bram's registration is
    approved (and listed in the directory), then a privacy notice is published; Dana has an
    account."""
    with live_server.app.app_context():
        event = make_event(approval_required=False, **next_november())
        organiser = make_organiser(event)
        approved(event, "bram@police.example").user.name = "Bram Bakker"
        notices.publish_notice(event, NOTICE, actor=organiser)
        make_user("dana@police.example", name="Dana Delegate")
        db.session.commit()


ORGANISER_EMAIL = "organiser@politie.example"


def test_a_delegate_reads_the_notice_consents_appears_in_the_directory_and_withdraws(
    conference, open_page
):
    shots = Screenshots("privacy")
    dana = open_page()
    log_in(dana, "dana@police.example")
    dana.goto("/vgt-2014/register")
    expect(dana).to_have_url(re.compile(r"/vgt-2014/privacy$"))  # the notice comes first
    expect(dana.get_by_role("heading", name="Your rights")).to_be_visible()
    shots.take_at_both_widths(dana, "privacy notice")
    dana.get_by_role("button", name="I have read the privacy notice").click()

    expect(dana).to_have_url(re.compile(r"/vgt-2014/register$"))
    for consent in dana.get_by_role("checkbox").all():
        expect(consent).not_to_be_checked()  # nothing is given unless the delegate gives it
    dana.get_by_role("combobox", name="Organisation", exact=True).select_option("Europol")
    dana.get_by_role("searchbox", name="Search the list of countries").fill("Belg")
    dana.get_by_label("Job title").fill("Senior Specialist")
    shots.take_at_both_widths(dana, "registration form with its consents")
    dana.get_by_role("button", name="Send registration").click()
    expect(dana.get_by_test_id("registration-status")).to_have_text("Approved")

    bram = open_page()
    log_in(bram, "bram@police.example")
    bram.goto("/vgt-2014/directory")
    expect(bram.get_by_test_id("directory")).not_to_contain_text("Dana Delegate")

    directory = dana.locator('[data-consent="consent_participant_list"]')
    expect(directory).to_contain_text("Not given")
    directory.get_by_role("button", name="Give consent").click()
    expect(dana.get_by_text("Your consent is saved (participant directory).")).to_be_visible()
    expect(directory).to_contain_text("Given on")
    dana.locator("#consents").scroll_into_view_if_needed()
    shots.take_at_both_widths(dana, "registration page with the consents")

    bram.reload()
    listed = bram.get_by_test_id("directory")
    expect(listed).to_contain_text("Dana Delegate")
    expect(listed).to_contain_text("Europol · Belgium")
    expect(listed).not_to_contain_text("dana@police.example")  # not without its own consent
    shots.take_at_both_widths(bram, "directory")
    bram.get_by_label("Search by name, organisation or country").fill("europol")
    bram.get_by_role("button", name="Search").click()
    expect(bram.get_by_test_id("directory-count")).to_have_text("1 delegate matching “europol”")

    directory.get_by_role("button", name="Withdraw").click()
    expect(dana.get_by_text("Your consent is withdrawn (participant directory)")).to_be_visible()
    expect(directory).to_contain_text("Withdrawn on")
    bram.goto("/vgt-2014/directory")
    expect(bram.get_by_test_id("directory")).not_to_contain_text("Dana Delegate")
    expect(bram.get_by_test_id("directory")).to_contain_text("Bram Bakker")


def test_the_organiser_publishes_a_new_version_and_a_delegate_is_asked_to_read_it(
    conference, open_page
):
    shots = Screenshots("privacy-notice")
    organiser = open_page()
    log_in(organiser, ORGANISER_EMAIL, two_factor=True)
    organiser.goto("/vgt-2014/organiser/settings")
    organiser.get_by_role("link", name="Write the privacy notice").click()
    expect(organiser.get_by_test_id("notice-version")).to_contain_text("Version 1")
    organiser.get_by_label("How long it is kept").fill("One year after the conference.")
    shots.take_at_both_widths(organiser, "organiser writes the notice")
    organiser.get_by_role("button", name="Publish this version").click()
    expect(organiser.get_by_text("Version 2 of the privacy notice is published.")).to_be_visible()

    bram = open_page()  # registered before the notice existed
    log_in(bram, "bram@police.example")
    bram.goto("/vgt-2014/registration")
    changed = bram.get_by_test_id("notice-changed")
    expect(changed).to_contain_text("now has a privacy notice, which you have not read yet")
    shots.take_at_both_widths(bram, "registration page asks to read the notice")
    changed.get_by_role("link", name="read version 2").click()
    expect(bram.get_by_text("One year after the conference.")).to_be_visible()
    bram.get_by_role("button", name="I have read the privacy notice").click()
    expect(bram.get_by_text("Thank you for reading the privacy notice.")).to_be_visible()
    expect(bram.get_by_test_id("notice-changed")).to_have_count(0)
