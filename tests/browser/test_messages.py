"""An organiser writes to a group in a real browser: chooses the group, sees how many it
reaches, sends a test to themselves, sends it, and follows each copy's delivery; then schedules
a reminder for those who have not chosen a workshop."""

import pytest
from playwright.sync_api import expect

from conference.extensions import db
from tests.browser.conftest import Screenshots, log_in
from tests.browser.test_journey import send_mail
from tests.factories import make_event, make_organiser, next_november
from tests.message_helpers import delegates

pytestmark = pytest.mark.browser

ORGANISER_EMAIL = "organiser@politie.example"


@pytest.fixture
def app_settings(mail_server) -> dict:
    return {"WTF_CSRF_ENABLED": True, **mail_server.settings()}


@pytest.fixture
def conference(live_server) -> None:
    with live_server.app.app_context():
        event = make_event(**next_november())
        organiser = make_organiser(event, ORGANISER_EMAIL)
        delegates(event, organiser)
        db.session.commit()


def test_an_organiser_messages_a_group_and_follows_its_delivery(
    conference, live_server, mail_server, open_page
):
    shots = Screenshots("messages")
    page = open_page()
    log_in(page, ORGANISER_EMAIL, two_factor=True, next_url="/vgt-2014/organiser/registrations")
    page.get_by_text("More filters").click()
    page.get_by_role("combobox", name="Has a workshop place").select_option("no")
    page.get_by_role("button", name="Apply", exact=True).click()
    shots.take(page, "registration list with the link to write to it")
    page.get_by_role("link", name="Write a message to these 3").click()
    expect(page.get_by_role("heading", name="Write a message")).to_be_visible()
    reach = page.get_by_role("status")
    expect(reach).to_contain_text("This message will reach 3 delegates")
    page.get_by_role("combobox", name="Status").select_option("approved")
    page.get_by_role("button", name="Count again").click()
    expect(reach).to_contain_text(
        "This message will reach 2 delegates: Anna Peeters, Dirk Janssens."
    )
    page.get_by_label("Subject").fill("{event_short}: choose your workshop")
    page.get_by_label("Message").fill(
        "Dear {name},\n\nTwo workshops still have places.\n\nYour registration: {registration_link}"
    )
    shots.take_at_both_widths(page, "composer with its count")

    page.get_by_role("button", name="Send a test to me").click()
    expect(page.get_by_text(f"A test is on its way to you at {ORGANISER_EMAIL}")).to_be_visible()
    page.get_by_role("button", name="Send to 2 delegates").click()
    expect(page.get_by_text("Sent to 2 delegates")).to_be_visible()
    expect(page.get_by_role("cell", name="Waiting")).to_have_count(2)

    send_mail(live_server)

    def about_workshops(address: str):
        return [m for m in mail_server.messages_to(address) if "workshop" in m["Subject"]]

    [test] = about_workshops(ORGANISER_EMAIL)
    assert test["Subject"] == "[Test] VGT 2014: choose your workshop"
    for name, address in (("Anna", "anna@police.example"), ("Dirk", "dirk@police.example")):
        [copy] = about_workshops(address)
        assert copy.get_body(("plain",)).get_content().startswith(f"Dear {name}")
    assert about_workshops("bram@europol.example") == []
    page.reload()
    expect(page.get_by_role("cell", name="Sent", exact=True)).to_have_count(2)
    shots.take_at_both_widths(page, "a message's delivery list")

    page.get_by_role("link", name="Messages", exact=True).first.click()
    expect(page.get_by_role("cell", name="VGT 2014: choose your workshop")).to_be_visible()
    shots.take_at_both_widths(page, "messages list")


def test_an_organiser_schedules_a_reminder_for_those_without_a_workshop(
    conference, live_server, open_page
):
    shots = Screenshots("reminders")
    page = open_page()
    log_in(page, ORGANISER_EMAIL, two_factor=True, next_url="/vgt-2014/organiser/reminders")
    page.get_by_role("link", name="Schedule a reminder").click()
    page.get_by_label("Days before the first day").fill("7")
    page.get_by_label("Time of day").fill("09:00")
    page.get_by_role("combobox", name="Has a workshop place").select_option("no")
    page.get_by_role("button", name="Count again").click()
    expect(page.get_by_role("status")).to_contain_text("would reach 2 delegates")
    shots.take(page, "reminder form")
    page.get_by_role("button", name="Schedule the reminder").click()
    expect(page.get_by_text("is scheduled")).to_be_visible()
    row = page.get_by_role("row").filter(has_text="7 days before the event")
    expect(row).to_contain_text("Approved · Without a workshop")
    expect(row).to_contain_text("in ")
    expect(row.get_by_role("link", name="Change")).to_be_visible()
    shots.take_at_both_widths(page, "reminders page")
