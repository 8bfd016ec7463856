"""Who has arrived: counts per day, who is still expected, and who came to a workshop."""

import csv
import io

import pytest
import sqlalchemy as sa

from conference.extensions import db
from conference.models import AuditEntry, SessionSignup, SignupStatus, utcnow
from conference.models import RegistrationStatus as Status
from conference.services.errors import NotADayOfTheEvent
from conference.services.on_site import arrivals
from conference.services.registration import exports, workflow
from tests.environment import counting_queries
from tests.factories import approved, make_organiser, register, workshop
from tests.on_site_helpers import FIRST_DAY, SECOND_DAY, came_to, check_in


def test_the_counts_say_who_checked_in_each_day_of_how_many_are_expected(app, event):
    anna, ben, carla = (approved(event, f"{n}@police.example") for n in ("anna", "ben", "carla"))
    register(event, "pending@police.example")  # not expected: not approved
    check_in(anna, FIRST_DAY)
    check_in(ben, FIRST_DAY)
    check_in(anna, SECOND_DAY)

    counts = arrivals.counts_per_day(event)

    assert [(c.day, c.checked_in, c.expected, c.still_expected) for c in counts] == [
        (FIRST_DAY, 2, 3, 1),
        (SECOND_DAY, 1, 3, 2),
    ]
    assert carla.status == Status.APPROVED


def test_a_check_in_of_a_registration_cancelled_since_no_longer_counts(app, event):
    anna = approved(event, "anna@police.example")
    check_in(anna, FIRST_DAY)
    workflow.change_status(anna, Status.CANCELLED, actor=None, now=utcnow())

    assert [(c.checked_in, c.expected) for c in arrivals.counts_per_day(event)] == [
        (0, 0),
        (0, 0),
    ]


def test_the_counts_take_two_queries_however_many_delegates(app, event):
    for n in range(12):
        registration = approved(event, f"delegate{n}@police.example")
        check_in(registration, FIRST_DAY)
        if n % 2:
            check_in(registration, SECOND_DAY)
    db.session.commit()
    db.session.refresh(event)  # the event itself is read before the page counts

    with counting_queries() as statements:
        counts = arrivals.counts_per_day(event)

    assert len(statements) == 2
    assert [c.checked_in for c in counts] == [12, 6]


def test_who_has_not_arrived_is_the_approved_without_a_check_in_that_day(app, event):
    anna = approved(event, "anna@police.example")
    ben = approved(event, "ben@police.example")
    register(event, "pending@police.example")
    check_in(anna, FIRST_DAY)
    check_in(ben, SECOND_DAY)

    assert arrivals.not_arrived(event, FIRST_DAY) == [ben]
    assert arrivals.not_arrived(event, SECOND_DAY) == [anna]


def test_a_day_that_is_not_the_events_is_refused(app, event):
    with pytest.raises(NotADayOfTheEvent) as refused:
        arrivals.not_arrived(event, SECOND_DAY.replace(day=7))
    assert refused.value.field == "day"
    assert "7 November 2014 is not a day of VGT 2014" in refused.value.message


def test_the_not_arrived_list_exports_and_is_audited(app, event):
    organiser = make_organiser(event)
    anna = approved(event, "anna@police.example")
    approved(event, "=ben@police.example")
    check_in(anna, FIRST_DAY)

    export = arrivals.not_arrived_list(event, FIRST_DAY, actor=organiser)
    text = "".join(exports.csv_chunks(export)).removeprefix(exports.CSV_BOM)
    rows = list(csv.reader(io.StringIO(text)))

    assert rows[0][:2] == ["Name", "Email"] and rows[0][-1] == "Reference"
    assert [row[1] for row in rows[1:]] == ["'=ben@police.example"]  # defused, like every export
    assert export.filename(event, "csv").startswith("vgt-2014-not-arrived-2014-11-05-")
    entry = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "export.not_arrived")
    ).one()
    assert entry.details["rows"] == 1 and entry.details["day"] == "2014-11-05"


def test_a_workshop_shows_who_signed_up_and_who_came(app, event):
    session = workshop(event, "Tracing live streaming", capacity=10)
    anna, ben, carla, dirk = (
        approved(event, f"{n}@police.example") for n in ("anna", "ben", "carla", "dirk")
    )
    for registration, status in [
        (anna, SignupStatus.CONFIRMED),
        (ben, SignupStatus.CONFIRMED),
        (dirk, SignupStatus.WAITLISTED),
    ]:
        db.session.add(
            SessionSignup(session_id=session.id, registration_id=registration.id, status=status)
        )
    came_to(anna, session)
    came_to(carla, session)  # at the door without a place
    db.session.commit()

    with counting_queries() as statements:
        people = arrivals.workshop_attendance(session)

    assert [(p.name, p.signed_up, p.came) for p in people] == [
        ("anna", True, True),
        ("ben", True, False),
        ("carla", False, True),
    ]
    assert len(statements) <= 2
