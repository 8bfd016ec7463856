"""A delegate looks after their own account in a real browser: a new name, a new email address
confirmed from its inbox, a new password, and 'Log out everywhere'."""

import re

import pytest
from playwright.sync_api import expect

from conference.extensions import db
from tests.browser.conftest import Screenshots, phone_sized
from tests.browser.test_journey import fill_in_the_log_in_form, send_mail
from tests.factories import PASSWORD, make_event, make_user

pytestmark = pytest.mark.browser

OLD = "pieter.claes@europol.example"
NEW = "p.claes@europol.example"
NEW_PASSWORD = "another four words, at least"
NARROW = {"width": 360, "height": 780}


@pytest.fixture
def app_settings(mail_server) -> dict:
    return {"WTF_CSRF_ENABLED": True, **mail_server.settings()}


@pytest.fixture
def delegate(live_server) -> None:
    with live_server.app.app_context():
        make_event()
        make_user(OLD, name="Pieter Claes")
        db.session.commit()


def test_a_delegate_changes_name_email_and_password(delegate, live_server, mail_server, open_page):
    shots = Screenshots("account")
    page = open_page()
    page.goto("/account/login")
    fill_in_the_log_in_form(page, OLD, PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Pieter Claes").click()
    expect(page.get_by_role("heading", name="Your account")).to_be_visible()
    shots.take(page, "account page")
    with phone_sized(page, NARROW):
        shots.take(page, "account page, phone")

    page.get_by_role("link", name="Change your name").click()
    page.get_by_label("Full name").fill("Pieter J. Claes")
    shots.take(page, "name")
    page.get_by_role("button", name="Save name").click()
    expect(page.get_by_text("Your name is now Pieter J. Claes.")).to_be_visible()
    expect(page.get_by_role("heading", name="Hello, Pieter J. Claes")).to_be_visible()

    page.get_by_role("link", name="Change your email address").click()
    page.get_by_label("New email address").fill(NEW)
    page.get_by_label("Your password").fill("not my password")
    page.get_by_role("button", name="Send the confirmation link").click()
    expect(page.get_by_text("That is not your password.")).to_be_visible()
    shots.take(page, "email, wrong password")
    with phone_sized(page, NARROW):
        shots.take(page, "email, wrong password, phone")
    expect(page.get_by_label("New email address")).to_have_value(NEW)
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Send the confirmation link").click()
    expect(page.get_by_text(f"We have sent a link to {NEW}")).to_be_visible()
    expect(page.get_by_text(f"Waiting for you to confirm {NEW}")).to_be_visible()
    shots.take(page, "email waiting for confirmation")

    send_mail(live_server)
    (link,) = mail_server.links_to(NEW, "/account/email/confirm/")
    page.goto(link)
    expect(page.get_by_text(f"Your email address is now {NEW}")).to_be_visible()
    expect(page.get_by_text("Waiting for you to confirm")).to_have_count(0)
    shots.take(page, "email confirmed")

    page.get_by_role("link", name="Change your password").click()
    page.get_by_label("Current password").fill(PASSWORD)
    page.get_by_label(re.compile(r"^New password\W*$")).fill(NEW_PASSWORD)
    page.get_by_label("New password, again").fill(NEW_PASSWORD)
    shots.take(page, "password")
    with phone_sized(page, NARROW):
        shots.take(page, "password, phone")
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_text("Your password is changed.")).to_be_visible()

    page.get_by_role("button", name="Log out everywhere").click()
    expect(page).to_have_url(re.compile(r"/account/login$"))
    fill_in_the_log_in_form(page, NEW, NEW_PASSWORD)
    expect(page.get_by_role("navigation", name="Main")).to_contain_text("Pieter J. Claes")
