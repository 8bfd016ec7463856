"""The pages that read attendance, as a person sees them: the workshop page in the programme
editor and the delegate's certificate link, at a desktop's width and a phone's."""

import pytest
from playwright.sync_api import expect

from conference.extensions import db
from conference.models import SessionSignup, SignupStatus
from tests.browser.conftest import Screenshots, log_in, phone_sized
from tests.factories import approved, make_event, make_organiser, workshop
from tests.on_site_helpers import FIRST_DAY, came_to, check_in

pytestmark = pytest.mark.browser

NARROW = {"width": 360, "height": 800}


@pytest.fixture
def came(live_server) -> int:
    with live_server.app.app_context():
        event = make_event()
        make_organiser(event, "organiser@politie.example")
        session = workshop(event, "Tracing live streaming", capacity=20)
        for n, name in enumerate(["Anna de Vries", "Ben Okafor", "Carla Mendes"]):
            registration = approved(event, f"delegate{n}@police.example")
            registration.user.name = name
            check_in(registration, FIRST_DAY)
            if n < 2:
                db.session.add(
                    SessionSignup(
                        session_id=session.id,
                        registration_id=registration.id,
                        status=SignupStatus.CONFIRMED,
                    )
                )
            if n != 1:
                came_to(registration, session)
        db.session.commit()
        return session.id


def test_the_workshop_page_and_the_certificate_link(open_page, came):
    shots = Screenshots("attendance")
    organiser = open_page()
    log_in(organiser, "organiser@politie.example", two_factor=True)
    organiser.goto(f"/vgt-2014/organiser/programme/sessions/{came}")
    table = organiser.get_by_role("region", name="Who signed up, who came")
    expect(table.get_by_role("row", name="Ben Okafor")).to_contain_text("Not seen")
    expect(table.get_by_role("row", name="Carla Mendes")).to_contain_text("No place")
    shots.take(organiser, "workshop-desktop")
    with phone_sized(organiser, NARROW):
        shots.take(organiser, "workshop-phone")
    organiser.goto("/vgt-2014/organiser/on-site")
    expect(organiser.get_by_role("button", name="Download every certificate (PDF)")).to_be_visible()
    shots.take(organiser, "on-site-after-the-event")

    delegate = open_page()
    log_in(delegate, "delegate0@police.example")
    delegate.goto("/vgt-2014/registration")
    with delegate.expect_download() as download:
        delegate.get_by_role("link", name="Download certificate (PDF)").click()
    assert download.value.suggested_filename.startswith("vgt-2014-certificate-VGT14-")
    shots.take(delegate, "registration-desktop")
    with phone_sized(delegate, NARROW):
        shots.take(delegate, "registration-phone")
