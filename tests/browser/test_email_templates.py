"""The email editor in a real browser: an organiser opens the list, edits the approval email,
previews it with a real registration's data (the HTML part in its sandboxed frame, within the
Content-Security-Policy), saves it, and the approval sends those words."""

import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from conference.extensions import db
from conference.models import EmailTemplate, OutboxEmail
from conference.services.registration import workflow
from tests.browser.conftest import SCREENSHOTS, Screenshots, log_in, phone_sized
from tests.factories import make_event, make_organiser, register

pytestmark = pytest.mark.browser

ORGANISER_EMAIL = "organiser@politie.example"
SHOTS = Path("/work/shots/h1")


@pytest.fixture
def app_settings() -> dict:
    return {"WTF_CSRF_ENABLED": True}


@pytest.fixture
def delegates(live_server) -> dict:
    with live_server.app.app_context():
        event = make_event()
        make_organiser(event, ORGANISER_EMAIL)
        pending = register(event, "lena.fischer@bka.example")
        pending.user.name = "Lena Fischer"
        somchai = register(event, "somchai@thaipolice.example")
        somchai.user.name = "Somchai Wongsakul"
        workflow.approve_registration(somchai, actor=None)
        db.session.commit()
        return {
            "approved": somchai.reference,
            "approved_id": somchai.id,
            "pending": pending.reference,
        }


def keep(shots_taken: Screenshots) -> None:
    """Copy the screenshots of this test where the team looks at them."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for path in SCREENSHOTS.glob(f"{shots_taken.prefix}-*.png"):
        shutil.copy(path, SHOTS / path.name)


def test_an_organiser_edits_previews_and_saves_an_email(live_server, open_page, delegates):
    shots = Screenshots("email-templates")
    page = open_page()
    log_in(page, ORGANISER_EMAIL, two_factor=True)
    page.goto("/vgt-2014/organiser/registrations")
    page.get_by_role("navigation", name="Back office").get_by_role("link", name="Emails").click()
    expect(page.get_by_role("heading", name="Emails", exact=True)).to_be_visible()
    expect(page.get_by_text("Visa invitation letter ready", exact=True)).to_be_visible()
    shots.take_at_both_widths(page, "the list of emails")

    page.get_by_role("link", name="Edit “Registration approved” in English").click()
    expect(page.get_by_role("heading", name="Registration approved")).to_be_visible()
    expect(page.get_by_text("{registration_link}", exact=True)).to_be_visible()
    # The approved registration is the one previewed first.
    expect(page.get_by_label("Preview with")).to_have_value(str(delegates["approved_id"]))
    expect(page.locator("#preview-text")).to_contain_text("Dear Somchai Wongsakul,")

    page.get_by_label("Subject").fill("{event_short}: welcome to Amsterdam, {name}")
    page.get_by_label("Text").fill(
        "Dear {name},\n\nYour place at {event} is confirmed ({reference}).\n\n"
        "Your registration: {registration_link}\n\nWe look forward to seeing you in {city}."
    )
    page.get_by_role("button", name="Preview").click()
    expect(page.locator("#preview-subject")).to_have_text(
        "VGT 2014: welcome to Amsterdam, Somchai Wongsakul"
    )
    frame = page.frame_locator("iframe[title='The HTML part of the email']")
    expect(frame.get_by_text("Dear Somchai Wongsakul,")).to_be_visible()
    expect(frame.get_by_text("Your place at Virtual Global Taskforce")).to_be_visible()
    expect(frame.locator("a")).to_have_attribute("href", f"{live_server.url}/vgt-2014/registration")
    shots.take_at_both_widths(page, "the editor with its preview")
    # A full-page screenshot leaves a sandboxed frame blank: the preview as it shows on screen.
    page.get_by_role("heading", name="Preview", exact=True).scroll_into_view_if_needed()
    page.screenshot(path=SHOTS / "email-templates-preview-1280-px.png")
    with phone_sized(page):
        page.get_by_role("heading", name="HTML", exact=True).scroll_into_view_if_needed()
        page.screenshot(path=SHOTS / "email-templates-preview-360-px.png")

    # A placeholder that does not exist is refused, with the text kept.
    page.get_by_label("Text").fill("Dear {first_name}, welcome.")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("There is no placeholder {first_name} in this email")).to_be_visible()
    expect(page.get_by_label("Text")).to_have_value("Dear {first_name}, welcome.")
    shots.take(page, "an unknown placeholder refused")

    page.get_by_label("Text").fill(
        "Dear {name},\n\nYour place at {event} is confirmed ({reference})."
    )
    page.get_by_label("Preview with").select_option(
        label=f"{delegates['pending']} · Lena Fischer · Pending"
    )
    page.get_by_role("button", name="Preview").click()
    expect(page.locator("#preview-text")).to_contain_text("Dear Lena Fischer,")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("is sent in these words")).to_be_visible()
    expect(page.get_by_text("by Olga Organiser on")).to_be_visible()

    with live_server.app.app_context():
        assert db.session.scalars(sa.select(EmailTemplate)).one().kind == "registration_approved"
    page.goto(f"/vgt-2014/organiser/registrations/{delegates['pending']}")
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_role("main")).to_contain_text("Approved")
    with live_server.app.app_context():
        email = db.session.scalars(
            sa.select(OutboxEmail)
            .where(OutboxEmail.recipient == "lena.fischer@bka.example")
            .order_by(OutboxEmail.id.desc())
        ).first()
        assert email.body_text.startswith("Dear Lena Fischer,\n\nYour place at Virtual Global")

    page.goto("/vgt-2014/organiser/emails/registration_approved/en")
    page.get_by_role("link", name="Back to the default text").click()
    shots.take(page, "back to the default text, asked first")
    page.get_by_role("button", name="Yes, back to the default text").click()
    expect(page.get_by_text("is sent in the default words again")).to_be_visible()
    keep(shots)
