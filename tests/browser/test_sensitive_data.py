"""In a browser: an organiser sees a delegate's needs, a viewer of the same event does not."""

import pytest
from playwright.sync_api import expect

from conference.extensions import db
from conference.models import TeamRole
from conference.services.registration import workflow
from tests.browser.conftest import Screenshots, log_in, phone_sized
from tests.factories import make_event, make_organiser, register

NEEDS = "Wheelchair user: step-free access"
PHONE = {"width": 360, "height": 780}


@pytest.fixture
def nadia(live_server):
    with live_server.app.app_context():
        event = make_event()
        organiser = make_organiser(event, "organiser@politie.example")
        make_organiser(event, "viewer@politie.example", role=TeamRole.VIEWER)
        registration = register(event, "nadia@police.example", accessibility_needs=NEEDS)
        workflow.approve_registration(registration, actor=organiser)
        db.session.commit()
        return registration.reference


@pytest.mark.parametrize("role", ["organiser", "viewer"])
def test_only_the_organiser_sees_the_needs(open_page, nadia, role):
    shots = Screenshots(f"sensitive-{role}")
    page = open_page()
    log_in(page, f"{role}@politie.example", two_factor=True)
    page.goto(f"/vgt-2014/organiser/registrations/{nadia}")
    facts = page.locator("dl.facts")
    expect(facts).to_contain_text("Job title")
    if role == "organiser":
        expect(facts).to_contain_text(NEEDS)
    else:
        expect(facts).not_to_contain_text("Accessibility needs")
    shots.take(page, "registration")
    page.goto("/vgt-2014/organiser/exports")
    columns = page.locator(".export-columns")
    expect(columns).to_contain_text("Job title")
    if role == "organiser":
        expect(columns).to_contain_text("Accessibility needs")
    else:
        expect(columns).not_to_contain_text("Accessibility needs")
        expect(page.locator(".sensitive-left-out")).to_be_visible()
    shots.take(page, "exports")
    with phone_sized(page, PHONE):
        shots.take(page, "exports-phone")
        page.goto(f"/vgt-2014/organiser/registrations/{nadia}")
        shots.take(page, "registration-phone")
