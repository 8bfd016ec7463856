"""My agenda in a real browser: choosing a workshop, the calendar link, on a desktop and a phone."""

import pytest
from playwright.sync_api import Page, expect

from conference.extensions import db
from conference.models import SessionKind
from conference.services.programme import workshops
from tests.browser.conftest import Screenshots, phone_sized
from tests.factories import PASSWORD, approved, local, make_event, session, workshop
from tests.workshop_helpers import publish

pytestmark = pytest.mark.browser


@pytest.fixture
def app_settings() -> dict:
    return {"WTF_CSRF_ENABLED": True}


@pytest.fixture
def programme_with_workshops(live_server) -> None:
    with live_server.app.app_context():
        event = make_event()
        session(
            event,
            "Opening by the Minister of Security and Justice",
            kind=SessionKind.PLENARY,
            starts=local(5, 9),
            ends=local(5, 10),
            room_name="Auditorium",
        )
        session(event, "Lunch", kind=SessionKind.BREAK, starts=local(5, 12), ends=local(5, 13))
        workshop(event, "Identifying victims in abuse material", capacity=20)
        streaming = workshop(
            event, "Live streaming: tracing the viewers", capacity=1, start=(14, 0)
        )
        workshop(event, "Child sex tourism and liaison officers", capacity=15, day=6)
        publish(event)
        taken = approved(event, "someone@police.example")
        approved(event, "anna@police.example")
        workshops.sign_up(taken, streaming.id, actor=taken.user)  # full now
        db.session.commit()


def log_in(page: Page) -> None:
    page.goto("/account/login?next=/vgt-2014/agenda")
    page.get_by_label("Email address").fill("anna@police.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_a_delegate_chooses_a_workshop_and_finds_the_calendar_link(
    programme_with_workshops, open_page
):
    shots = Screenshots("agenda")
    page = open_page()
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    log_in(page)
    expect(page.get_by_role("heading", name="My agenda")).to_be_visible()
    expect(page.get_by_text("Full: join the waiting list")).to_be_visible()
    shots.take(page, "before")

    page.get_by_test_id("workshop-3").get_by_role("button", name="Sign up").click()
    expect(page.get_by_text("You have a place in “Identifying victims")).to_be_visible()
    expect(page.get_by_role("button", name="Copy")).to_be_visible()  # the script ran
    shots.take(page, "signed up")
    with phone_sized(page):
        shots.take(page, "signed up on a phone")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, "the page scrolls sideways on a phone"
    assert errors == []
