"""The registration journey in a real browser: sign up, verify, register, get approved.

Two people with their own cookies, a delegate and an organiser, click through the pages of a
live server with CSRF protection on; the emails go out through a real SMTP server.
"""

import re

import pytest
from playwright.sync_api import Page, expect

from conference.extensions import db
from tests.browser.conftest import Screenshots, phone_sized
from tests.factories import PASSWORD, current_code, make_event, make_organiser, next_november

pytestmark = pytest.mark.browser

EVENT_PAGE = "/vgt-2014/"
DELEGATE_NAME = "Pieter Claes"
DELEGATE_EMAIL = "pieter.claes@europol.example"
DELEGATE_PASSWORD = "four words in a row, at least"
ORGANISER_EMAIL = "organiser@politie.example"
REFERENCE = re.compile(r"^VGT14-[A-Z2-9]{6}$")


@pytest.fixture
def app_settings(mail_server) -> dict:
    return {"WTF_CSRF_ENABLED": True, **mail_server.settings()}


@pytest.fixture
def vgt_2014(live_server) -> None:
    """The VGT 2014 conference, open for registration (so next November), and its organiser."""
    with live_server.app.app_context():
        event = make_event(**next_november())
        make_organiser(event, ORGANISER_EMAIL)
        db.session.commit()


def send_mail(live_server) -> None:
    """Deliver the outbox with the `send-mail` command."""
    # `flask send-mail` gets its app context from FlaskGroup; the test runner does not give one.
    with live_server.app.app_context():
        result = live_server.app.test_cli_runner().invoke(args=["send-mail"])
    assert result.exit_code == 0, result.output


def fill_in_the_log_in_form(page: Page, email: str, password: str) -> None:
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def test_a_delegate_signs_up_registers_and_is_approved_by_an_organiser(
    vgt_2014, live_server, mail_server, open_page
):
    shots = Screenshots("journey")
    delegate = open_page()

    # The delegate wants to register; first they need an account.
    delegate.goto(EVENT_PAGE)
    shots.take(delegate, "event page")
    delegate.get_by_role("link", name="Register to attend").click()
    expect(delegate).to_have_url(re.compile(r"/account/login\?next="))
    delegate.get_by_role("main").get_by_role("link", name="Sign up").click()
    delegate.get_by_label("Full name").fill(DELEGATE_NAME)
    delegate.get_by_label("Email address").fill(DELEGATE_EMAIL)
    delegate.get_by_label("Password").fill(DELEGATE_PASSWORD)
    shots.take(delegate, "sign up")
    delegate.get_by_role("button", name="Sign up").click()
    expect(delegate.get_by_role("heading", name="Check your inbox")).to_be_visible()
    shots.take(delegate, "check your inbox")

    # The link in the email confirms the address.
    send_mail(live_server)
    (verification_link,) = mail_server.links_to(DELEGATE_EMAIL, "/account/verify/")
    delegate.goto(verification_link)
    expect(delegate).to_have_url(re.compile(r"/account/login\?next="))
    expect(delegate.get_by_text("Your email address is verified")).to_be_visible()
    shots.take(delegate, "email verified")
    # Logging in takes them where they were going: the registration form.
    fill_in_the_log_in_form(delegate, DELEGATE_EMAIL, DELEGATE_PASSWORD)
    expect(delegate).to_have_url(re.compile(r"/vgt-2014/register$"))
    shots.take(delegate, "registration form")
    delegate.get_by_role("combobox", name="Organisation", exact=True).select_option("Europol")
    # Typing in the country search narrows the list and picks the first match.
    country = delegate.get_by_role("combobox", name="Country")
    delegate.get_by_role("searchbox", name="Search the list of countries").fill("Belg")
    expect(country.locator("option:not([hidden])")).to_have_text(["Choose a country", "Belgium"])
    expect(country).to_have_value("BE")
    delegate.get_by_label("Job title").fill("Senior Specialist, European Cybercrime Centre")
    delegate.get_by_label("Dietary needs").fill("Vegetarian, no nuts")
    invitation_letter = delegate.get_by_role("group", name="Do you need an invitation letter")
    invitation_letter.get_by_label("Yes").check()
    delegate.get_by_label("Show my name, organisation and country in the participant").check()
    shots.take(delegate, "registration form filled in")
    with phone_sized(delegate):
        shots.take(delegate, "registration form filled in, phone")
    delegate.get_by_role("button", name="Send registration").click()

    expect(delegate).to_have_url(re.compile(r"/vgt-2014/registration$"))
    expect(delegate.get_by_test_id("registration-status")).to_have_text("Pending")
    reference = delegate.get_by_text(REFERENCE)
    expect(reference).to_be_visible()
    reference_text = reference.inner_text()
    shots.take(delegate, "registration pending")
    with phone_sized(delegate):
        shots.take(delegate, "registration pending, phone")
        delegate.get_by_role("button", name="Toggle navigation").click()
        expect(delegate.locator("#main-nav")).to_have_class(re.compile(r"\bshow\b"))  # opened
        expect(delegate.get_by_role("button", name="Log out")).to_be_visible()
        expect(delegate.get_by_role("link", name="Your registration")).to_be_visible()
        shots.take(delegate, "registration pending, phone, menu open")

    # An organiser, in a browser of their own, vets the registration and approves it.
    organiser = open_page()
    organiser.goto(EVENT_PAGE)
    organiser.get_by_role("navigation", name="Main").get_by_role("link", name="Log in").click()
    fill_in_the_log_in_form(organiser, ORGANISER_EMAIL, PASSWORD)
    # Organisers log in with a second factor: the code from their authenticator app.
    expect(organiser.get_by_role("heading", name="One more step")).to_be_visible()
    organiser.get_by_label("Code").fill(current_code())
    shots.take(organiser, "organiser, two-factor code")
    organiser.get_by_role("button", name="Continue").click()
    # An organiser lands in the back office of the event.
    expect(organiser.get_by_role("heading", name="Registrations")).to_be_visible()
    back_office = organiser.get_by_role("navigation", name="Back office")
    expect(back_office.get_by_role("link", name="Registrations")).to_have_attribute(
        "aria-current", "page"
    )
    expect(back_office.get_by_role("link", name="Dashboard")).to_be_visible()
    shots.take(organiser, "organiser, registration list")
    organiser.get_by_role("link", name=DELEGATE_NAME).click()
    expect(organiser.get_by_role("heading", name=DELEGATE_NAME)).to_be_visible()
    expect(organiser.get_by_role("main")).to_contain_text(reference_text)
    expect(organiser.get_by_test_id("registration-status")).to_have_text("Pending")
    shots.take(organiser, "organiser, registration")
    organiser.get_by_role("button", name="Approve").click()
    expect(organiser.get_by_text(f"{DELEGATE_NAME} is approved")).to_be_visible()
    expect(organiser.get_by_test_id("registration-status")).to_have_text("Approved")
    shots.take(organiser, "organiser, registration approved")

    # The delegate sees the decision, and is told by email.
    delegate.reload()
    expect(delegate.get_by_test_id("registration-status")).to_have_text("Approved")
    shots.take(delegate, "registration approved")
    send_mail(live_server)
    subjects = [message["Subject"] for message in mail_server.messages_to(DELEGATE_EMAIL)]
    assert any("approved" in subject.lower() for subject in subjects), subjects


def test_the_public_event_page_loads_everything_from_our_own_server(
    vgt_2014, live_server, open_page
):
    page = open_page()
    requested, console_errors = [], []
    page.on("request", lambda request: requested.append(request.url))
    page.on(
        "console",
        lambda message: console_errors.append(message.text) if message.type == "error" else None,
    )

    page.goto(EVENT_PAGE, wait_until="networkidle")

    assert requested, "the browser recorded no requests at all"
    elsewhere = [url for url in requested if not url.startswith(live_server.url + "/")]
    assert elsewhere == [], f"resources from other hosts: {elsewhere}"
    csp_violations = [text for text in console_errors if "Content Security Policy" in text]
    assert csp_violations == [], csp_violations
