"""The demo that `make run` loads (`seed-demo --upcoming`), in a real browser: a new user finds
registration open and the programme on its days; the organiser's dashboard counts down."""

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from conference.demo import DEMO_ORGANISER_EMAIL, DEMO_ORGANISER_PASSWORD
from conference.extensions import db
from conference.models import Event, User, utcnow
from conference.templating import date_range
from tests.browser.conftest import Screenshots, phone_sized
from tests.factories import TOTP_SECRET, current_code

pytestmark = pytest.mark.browser


@pytest.fixture
def upcoming_demo(live_server) -> Event:
    """The demo as `make run` loads it, its organiser's authenticator app already set up."""
    with live_server.app.app_context():
        result = live_server.app.test_cli_runner().invoke(
            args=["seed-demo", "--upcoming", "--delegates", "40"]
        )
        assert result.exit_code == 0, result.output
        organiser = db.session.scalars(
            sa.select(User).where(User.email == DEMO_ORGANISER_EMAIL)
        ).one()
        organiser.totp_secret, organiser.totp_enabled_at = TOTP_SECRET, utcnow()
        db.session.commit()
        event = db.session.scalars(sa.select(Event)).one()
        db.session.expunge(event)
        return event


def test_a_new_user_of_the_demo_finds_registration_open_and_the_days_to_come(
    upcoming_demo, open_page
):
    shots = Screenshots("demo")
    when = date_range(upcoming_demo.starts_on, upcoming_demo.ends_on)
    visitor = open_page()
    visitor.goto("/vgt-2014/")
    expect(visitor.get_by_role("main")).to_contain_text(when)
    expect(visitor.get_by_role("link", name="Register to attend")).to_be_visible()
    shots.take(visitor, "event page")
    visitor.get_by_role("link", name="See the programme").click()
    first_day = upcoming_demo.starts_on.strftime("%A %-d %B %Y")
    expect(visitor.get_by_role("heading", name=first_day)).to_be_visible()
    expect(visitor.get_by_role("main")).to_contain_text("Opening of the conference")
    shots.take(visitor, "programme")

    organiser = open_page()
    organiser.goto("/account/login")
    organiser.get_by_label("Email address").fill(DEMO_ORGANISER_EMAIL)
    organiser.get_by_label("Password").fill(DEMO_ORGANISER_PASSWORD)
    organiser.get_by_role("button", name="Log in").click()
    organiser.get_by_label("Code").fill(current_code())
    organiser.get_by_role("button", name="Continue").click()
    organiser.get_by_role("navigation", name="Back office").get_by_role(
        "link", name="Dashboard"
    ).click()
    expect(organiser.get_by_role("heading", name="Dashboard")).to_be_visible()
    main = organiser.get_by_role("main")
    expect(main).to_contain_text("days to go")
    expect(main).to_contain_text("Registration open")
    expect(main).to_contain_text("Sign-ups per")
    expect(main).not_to_contain_text("not drawn")  # every demo sign-up is in the chart
    shots.take(organiser, "dashboard")
    with phone_sized(organiser):
        shots.take(organiser, "dashboard, phone")
