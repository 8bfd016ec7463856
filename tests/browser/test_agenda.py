"""My agenda in a real browser: choosing a workshop, the calendar link, on a desktop and a phone."""

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from conference.demo import seed_demo
from conference.extensions import db
from conference.models import Event, SessionKind
from conference.services.programme import workshops
from conference.services.programme.publishing import published_programme
from tests.browser.conftest import Screenshots, log_in, phone_sized
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


def test_a_delegate_chooses_a_workshop_and_finds_the_calendar_link(
    programme_with_workshops, open_page
):
    shots = Screenshots("agenda")
    page = open_page()
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    log_in(page, "anna@police.example", next_url="/vgt-2014/agenda")
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


NARROW = {"width": 360, "height": 780}


@pytest.fixture
def demo_with_a_delegate(live_server) -> dict:
    """The seeded VGT 2014 demo, and Anna, an approved delegate."""
    with live_server.app.app_context():
        seed_demo()
        event = db.session.scalars(sa.select(Event)).one()
        approved(event, "anna@police.example")
        programme = published_programme(event)
        titles = [s.title for s in programme.sessions if s.needs_signup]
        db.session.commit()
        return {"workshops": titles}


def test_each_of_the_demos_sign_up_buttons_names_its_workshop(demo_with_a_delegate, open_page):
    page = open_page()
    log_in(page, "anna@police.example", next_url="/vgt-2014/agenda")
    expect(page.get_by_role("heading", name="My agenda")).to_be_visible()

    buttons = page.get_by_role("button", name=re.compile(r"^Sign up"))

    titles = demo_with_a_delegate["workshops"]
    assert len(titles) == 9
    expect(buttons).to_have_count(9)
    for index, title in enumerate(titles):
        expect(buttons.nth(index)).to_have_accessible_name(f"Sign up for “{title}”")
    expect(page.get_by_role("button", name="Sign up", exact=True)).to_have_count(0)
    expect(page.get_by_text("one workshop per time slot")).to_be_visible()


def test_a_delegate_signs_up_on_the_workshops_own_page(demo_with_a_delegate, open_page):
    shots = Screenshots("workshop-page")
    title = "Finding the child: victim identification from images"
    visitor = open_page()
    visitor.goto("/vgt-2014/programme")
    visitor.get_by_role("link", name=title).first.click()
    expect(visitor.get_by_role("heading", name=title)).to_be_visible()
    expect(
        visitor.get_by_text("Places are for delegates with an approved registration")
    ).to_be_visible()
    shots.take(visitor, "a visitor")
    visitor.set_viewport_size(NARROW)
    shots.take(visitor, "a visitor, 360 px")

    page = open_page()
    page.goto(visitor.url)
    page.get_by_test_id("workshop-place").get_by_role("link", name="Log in").click()
    page.get_by_label("Email address").fill("anna@police.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name=title)).to_be_visible()
    expect(page.get_by_text("25 of 25 places left")).to_be_visible()
    shots.take(page, "before signing up")

    page.get_by_role("button", name=f"Sign up for “{title}”").click()

    expect(page.get_by_role("heading", name=title)).to_be_visible()
    expect(page.get_by_text(f"You have a place in “{title}”")).to_be_visible()
    expect(page.get_by_test_id("workshop-place").get_by_text("Your place")).to_be_visible()
    expect(page.get_by_role("button", name=f"Leave “{title}”")).to_be_visible()
    shots.take(page, "signed up")
    page.set_viewport_size(NARROW)
    shots.take(page, "signed up, 360 px")
    assert page.evaluate("document.documentElement.scrollWidth") <= NARROW["width"]

    page.set_viewport_size({"width": 1280, "height": 800})
    page.get_by_role("link", name="This workshop in My agenda").click()
    card = page.locator(f"#workshop-{page.url.rsplit('#workshop-', 1)[1]}")
    expect(card).to_be_in_viewport()
    expect(card.get_by_text("Your place")).to_be_visible()
    shots.take(page, "in my agenda")
    page.set_viewport_size(NARROW)
    shots.take(page, "in my agenda, 360 px")
    assert page.evaluate("document.documentElement.scrollWidth") <= NARROW["width"]
    # A workshop at the same time: no button, and why.
    page.get_by_role("link", name="Following the money in live-streaming cases").first.click()
    expect(
        page.get_by_text(f"At the same time as “{title}”, where you have a place")
    ).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("^Sign up"))).to_have_count(0)
    shots.take(page, "a workshop at the same time, 360 px")
    # The visitor's page, reloaded, still carries nobody's place.
    visitor.reload()
    expect(visitor.get_by_text("Your place")).to_have_count(0)
    expect(visitor.get_by_role("button", name=re.compile("Sign up|Leave"))).to_have_count(0)
