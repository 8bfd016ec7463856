"""An approved delegate corrects their needs in a real browser, and the organiser sees the change.

The delegate and the organiser each have a browser of their own on a live server with CSRF on.
"""

import re

import pytest
from playwright.sync_api import expect

from conference.extensions import db
from conference.services.registration import workflow
from tests.browser.conftest import Screenshots, log_in
from tests.factories import (
    make_event,
    make_organiser,
    make_user,
    next_november,
    register,
)

pytestmark = pytest.mark.browser

DELEGATE_EMAIL = "delegate@police.example"
ORGANISER_EMAIL = "organiser@politie.example"


@pytest.fixture
def app_settings() -> dict:
    return {"WTF_CSRF_ENABLED": True}


@pytest.fixture
def approved_delegate(live_server) -> str:
    """VGT 2014, its organiser, and one delegate, vegetarian, approved. Returns the reference."""
    with live_server.app.app_context():
        event = make_event()
        organiser = make_organiser(event, ORGANISER_EMAIL)
        registration = register(event, DELEGATE_EMAIL)
        workflow.approve_registration(registration, actor=organiser)
        db.session.commit()
        return registration.reference


def test_an_approved_delegate_corrects_the_needs_and_the_organiser_sees_it(
    approved_delegate, live_server, open_page
):
    shots = Screenshots("needs")
    delegate = open_page()
    log_in(delegate, DELEGATE_EMAIL)

    # Registering again lands on the registration, which says why.
    delegate.goto("/vgt-2014/register")
    expect(delegate).to_have_url(re.compile(r"/vgt-2014/registration$"))
    expect(delegate.get_by_text("You have already registered for VGT 2014.")).to_be_visible()
    expect(delegate.get_by_test_id("registration-status")).to_have_text("Approved")
    shots.take_at_both_widths(delegate, "already registered")

    delegate.get_by_role("link", name="Correct your needs").click()
    expect(delegate.get_by_role("heading", name="Correct your needs")).to_be_visible()
    expect(delegate.get_by_label("Job title")).to_have_count(0)  # shown, not offered
    expect(delegate.get_by_role("main")).to_contain_text("Detective Inspector")
    dietary = delegate.get_by_label("Dietary needs")
    expect(dietary).to_have_value("Vegetarian")
    dietary.fill("Vegan, no nuts")
    delegate.get_by_label("Accessibility needs").fill("Step-free access to the plenary hall")
    shots.take_at_both_widths(delegate, "correcting the needs")
    delegate.get_by_role("button", name="Save changes").click()

    expect(delegate).to_have_url(re.compile(r"/vgt-2014/registration$"))
    expect(delegate.get_by_text("Your changes are saved.")).to_be_visible()
    expect(delegate.get_by_role("main")).to_contain_text("Vegan, no nuts")
    shots.take_at_both_widths(delegate, "needs saved")

    organiser = open_page()
    log_in(organiser, ORGANISER_EMAIL, two_factor=True)
    expect(organiser.get_by_role("heading", name="Registrations")).to_be_visible()
    organiser.goto(f"/vgt-2014/organiser/registrations/{approved_delegate}")
    changed = organiser.get_by_role("region", name="Changed since approval")
    expect(changed).to_contain_text("Needs changed on")
    expect(changed).to_contain_text("by the delegate")
    expect(changed).to_contain_text("Dietary needs: Vegetarian → Vegan, no nuts")
    expect(changed).to_contain_text("Accessibility needs: None → Step-free access")
    shots.take_at_both_widths(organiser, "organiser sees the change")

    organiser.goto("/vgt-2014/organiser/import")
    expect(organiser.get_by_role("main")).to_contain_text("accessibility_needs")
    shots.take_at_both_widths(organiser, "import columns")


def test_a_new_registration_form_is_built_from_the_declaration(live_server, open_page):
    with live_server.app.app_context():
        make_event(**next_november())
        make_user(DELEGATE_EMAIL)
        db.session.commit()
    shots = Screenshots("register")
    page = open_page()
    log_in(page, DELEGATE_EMAIL)
    page.goto("/vgt-2014/register")
    for legend in ("Your work", "Your needs", "Consent"):
        expect(page.get_by_role("group", name=legend)).to_be_visible()
    page.get_by_role("button", name="Send registration").click()  # nothing filled in
    expect(page.get_by_text("Please correct the fields marked below.")).to_be_visible()
    expect(page.get_by_text("Choose your organisation, or 'Another organisation'.")).to_be_visible()
    shots.take_at_both_widths(page, "form refused")
