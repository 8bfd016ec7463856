"""My agenda on the demo programme: what every approved delegate has in their two days."""

import pytest
import sqlalchemy as sa
from icalendar import Calendar

from conference.demo import seed_demo
from conference.extensions import db
from conference.models import Event, SessionKind
from conference.services.programme import calendar, workshops
from conference.services.programme.agenda import agenda_of
from conference.services.programme.publishing import published_programme
from tests.factories import approved


@pytest.fixture
def demo(app) -> Event:
    seed_demo()
    db.session.commit()
    return db.session.scalars(sa.select(Event)).one()


def test_every_session_open_to_everyone_is_in_every_delegates_agenda_whatever_its_kind(demo):
    programme = published_programme(demo)
    for_everyone = [s for s in programme.sessions if not s.needs_signup]
    panels = [s.title for s in for_everyone if s.kind == SessionKind.PANEL]
    assert len(panels) == 3  # the demo's panels, none of them with sign-up
    anna = approved(demo, "anna@police.example")
    first_workshop = next(s for s in programme.sessions if s.needs_signup)
    workshops.sign_up(anna, first_workshop.id, actor=anna.user)

    agenda = agenda_of(anna, programme)

    in_agenda = [item.session for _, items in agenda.days for item in items]
    assert in_agenda == [
        s for s in programme.sessions if not s.needs_signup or s.id == first_workshop.id
    ]
    assert {item.session.title for _, items in agenda.days for item in items} >= set(panels)
    # A delegate who chose nothing still has every session for everyone, and no workshop.
    ben = approved(demo, "ben@police.example")
    assert [i.session for _, items in agenda_of(ben, programme).days for i in items] == (
        for_everyone
    )


def test_the_private_calendar_feed_carries_the_panels_too(demo):
    programme = published_programme(demo)
    anna = approved(demo, "anna@police.example")

    body = calendar.agenda_calendar(demo, anna, agenda_of(anna, programme))

    titles = [str(entry["SUMMARY"]) for entry in Calendar.from_ical(body).walk("VEVENT")]
    assert titles == [s.title for s in programme.sessions if not s.needs_signup]
    assert "Public–private cooperation against online exploitation" in titles
    assert "Victim support across borders" in titles
