"""An event by invitation only, in a real browser: the organiser invites someone, who follows
the link in the email, signs up, and registers with the code; the organiser sees it used."""

import re

import pytest
from playwright.sync_api import expect

from conference.extensions import db
from tests.browser.conftest import Screenshots, phone_sized
from tests.browser.test_journey import fill_in_the_log_in_form, send_mail
from tests.factories import PASSWORD, current_code, make_event, make_organiser, next_november

pytestmark = pytest.mark.browser

ORGANISER_EMAIL = "organiser@politie.example"
INVITEE_NAME = "Somchai Wongsakul"
INVITEE_EMAIL = "somchai@thaipolice.example"
INVITEE_PASSWORD = "a long pass phrase for the desk"


@pytest.fixture
def app_settings(mail_server) -> dict:
    return {"WTF_CSRF_ENABLED": True, **mail_server.settings()}


@pytest.fixture
def invitation_only(live_server) -> None:
    with live_server.app.app_context():
        make_organiser(make_event(invitation_only=True, **next_november()), ORGANISER_EMAIL)
        db.session.commit()


def test_an_invitee_registers_with_the_code_from_the_email(
    invitation_only, live_server, mail_server, open_page
):
    shots = Screenshots("invitations")
    organiser = open_page()
    organiser.goto("/account/login")
    fill_in_the_log_in_form(organiser, ORGANISER_EMAIL, PASSWORD)
    organiser.get_by_label("Code").fill(current_code())
    organiser.get_by_role("button", name="Continue").click()
    back_office = organiser.get_by_role("navigation", name="Back office")
    back_office.get_by_role("link", name="Invitations").click()
    expect(organiser.get_by_role("heading", name="Invitations")).to_be_visible()
    expect(organiser.get_by_role("main")).to_contain_text("by invitation only")
    organiser.get_by_label("Email address").fill(INVITEE_EMAIL)
    organiser.get_by_label("Name").fill(INVITEE_NAME)
    organiser.get_by_label("Organisation").fill("Royal Thai Police")
    organiser.get_by_role("combobox", name="Country").select_option("TH")
    organiser.get_by_role("button", name="Send invitation").click()
    expect(organiser.get_by_text(f"on its way to {INVITEE_EMAIL}")).to_be_visible()
    expect(organiser.get_by_role("cell", name=f"{INVITEE_NAME} {INVITEE_EMAIL}")).to_be_visible()
    shots.take(organiser, "organiser, invitation sent")

    # The invitee opens the link in the email on a phone, and signs up first.
    send_mail(live_server)
    (link,) = mail_server.links_to(INVITEE_EMAIL, "/vgt-2014/register?code=")
    code = link.partition("code=")[2]
    invitee = open_page()
    with phone_sized(invitee):
        invitee.goto(link)
        expect(invitee).to_have_url(re.compile(r"/account/login\?next="))
        invitee.get_by_role("main").get_by_role("link", name="Sign up").click()
        invitee.get_by_label("Full name").fill(INVITEE_NAME)
        invitee.get_by_label("Email address").fill(INVITEE_EMAIL)
        invitee.get_by_label("Password").fill(INVITEE_PASSWORD)
        invitee.get_by_role("button", name="Sign up").click()
        expect(invitee.get_by_role("heading", name="Check your inbox")).to_be_visible()
        send_mail(live_server)
        (verification_link,) = mail_server.links_to(INVITEE_EMAIL, "/account/verify/")
        invitee.goto(verification_link)
        fill_in_the_log_in_form(invitee, INVITEE_EMAIL, INVITEE_PASSWORD)

        # Back on the registration form, the code from the link filled in.
        expect(invitee).to_have_url(re.compile(r"/vgt-2014/register\?code="))
        expect(invitee.get_by_text(f"The organisers have invited {INVITEE_NAME}")).to_be_visible()
        expect(invitee.get_by_label("Invitation code")).to_have_value(code)
        expect(invitee.get_by_role("combobox", name="Country")).to_have_value("TH")
        invitee.get_by_role("combobox", name="Organisation", exact=True).select_option(
            "Another organisation (type its name below)"
        )
        invitee.get_by_label("Name of your organisation").fill("Royal Thai Police")
        invitee.get_by_label("Job title").fill("Police Lieutenant Colonel")
        shots.take(invitee, "invitee, registration form, phone")
        invitee.get_by_role("button", name="Send registration").click()
        expect(invitee.get_by_test_id("registration-status")).to_have_text("Pending")

    organiser.reload()
    expect(organiser.get_by_role("link", name=re.compile(r"^VGT14-"))).to_be_visible()
    expect(organiser.get_by_text("Registered: 1")).to_be_visible()
    shots.take(organiser, "organiser, invitation used")
