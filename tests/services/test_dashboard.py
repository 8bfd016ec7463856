"""The dashboard's figures, counted by the database."""

from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa

from conference.extensions import db
from conference.models import Organisation
from conference.services.registration import workflow
from conference.services.registration.dashboard import dashboard_for
from tests.environment import counting_queries
from tests.factories import make_event, make_organiser, register

BEFORE = datetime(2014, 10, 1, 12, tzinfo=UTC)


def counts(bars) -> dict[str, int]:
    return {bar.key: bar.count for bar in bars}


def test_capacity_used_and_left_count_only_approved_places(app):
    event = make_event(capacity=3)
    organiser = make_organiser(event)
    first, second, _ = (register(event, f"d{n}@police.example") for n in range(3))
    workflow.approve_registration(first, actor=organiser)
    workflow.approve_registration(second, actor=organiser)
    dashboard = dashboard_for(event, BEFORE)
    assert (dashboard.approved, dashboard.seats_left, dashboard.total) == (2, 1, 3)


def test_every_status_is_counted_also_those_with_none(app):
    event = make_event()
    organiser = make_organiser(event)
    first, second = register(event, "a@police.example"), register(event, "b@police.example")
    workflow.waitlist_registration(first, actor=organiser)
    workflow.cancel_registration(second, actor=second.user)
    assert counts(dashboard_for(event, BEFORE).statuses) == {
        "pending": 0,
        "approved": 0,
        "waitlisted": 1,
        "rejected": 0,
        "cancelled": 1,
    }


def test_countries_list_every_participating_country_and_any_other_named(app):
    event = make_event()  # participating: NL and US
    register(event, "a@police.example", country="NL")
    register(event, "b@police.example", country="NL")
    register(event, "c@police.example", country="PH")
    gone = register(event, "d@police.example", country="BR")
    workflow.cancel_registration(gone, actor=gone.user)
    bars = dashboard_for(event, BEFORE).countries
    assert [(bar.key, bar.count, bar.highlight) for bar in bars] == [
        ("NL", 2, True),
        ("PH", 1, False),
        ("US", 0, True),
    ]  # Brazil's only delegate cancelled: no bar for it
    assert bars[1].label == "Philippines"


def test_kinds_count_listed_organisations_and_those_typed_in(app):
    event = make_event()
    europol = db.session.scalars(
        sa.select(Organisation).where(Organisation.name == "Europol")
    ).one()
    register(event, "a@police.example", organisation=europol, organisation_other=None)
    register(event, "b@police.example", organisation=europol, organisation_other=None)
    register(event, "c@police.example")  # "Federal Police Cybercrime Unit", typed in
    kinds = counts(dashboard_for(event, BEFORE).kinds)
    assert kinds["intergovernmental"] == 2
    assert kinds["unlisted"] == 1
    assert kinds["law_enforcement"] == 0
    assert len(kinds) == 8


def signed_up_at(event, email: str, moment: datetime):
    registration = register(event, email)
    registration.created_at = moment
    db.session.flush()
    return registration


def test_sign_ups_are_counted_per_day_in_amsterdam_with_empty_days_shown(app):
    event = make_event()
    # 23:30 UTC on 1 October is half past one on 2 October in Amsterdam.
    signed_up_at(event, "a@police.example", datetime(2014, 10, 1, 23, 30, tzinfo=UTC))
    signed_up_at(event, "b@police.example", datetime(2014, 10, 2, 9, 0, tzinfo=UTC))
    signed_up_at(event, "c@police.example", datetime(2014, 10, 4, 9, 0, tzinfo=UTC))
    dashboard = dashboard_for(event, BEFORE)
    assert dashboard.signups_per == "day"
    assert [(bar.key, bar.count) for bar in dashboard.signups] == [
        ("2014-10-02", 2),
        ("2014-10-03", 0),
        ("2014-10-04", 1),
    ]
    assert dashboard.signups[0].label == "2 Oct"


def test_sign_ups_over_many_weeks_are_counted_per_week_from_monday(app):
    event = make_event()
    start = datetime(2014, 7, 2, 10, tzinfo=UTC)  # a Wednesday
    signed_up_at(event, "a@police.example", start)
    signed_up_at(event, "b@police.example", start + timedelta(days=4))  # Sunday, same week
    signed_up_at(event, "c@police.example", start + timedelta(days=60))
    dashboard = dashboard_for(event, BEFORE)
    assert dashboard.signups_per == "week"
    assert dashboard.signups[0].key == "2014-06-30"
    assert dashboard.signups[0].count == 2
    assert dashboard.signups[-1].count == 1
    assert len(dashboard.signups) == 9  # 30 June to the week of 25 August
    assert sum(bar.count for bar in dashboard.signups) == 3


def test_no_registrations_means_no_sign_up_bars(app):
    dashboard = dashboard_for(make_event(), BEFORE)
    assert dashboard.signups == []
    assert dashboard.total == 0


def test_days_to_the_event_are_counted_in_amsterdam(app):
    event = make_event()  # 5 and 6 November 2014
    assert dashboard_for(event, datetime(2014, 11, 1, 12, tzinfo=UTC)).days_to_event == 4
    # 23:30 UTC on 4 November is already the first day in Amsterdam.
    on = dashboard_for(event, datetime(2014, 11, 4, 23, 30, tzinfo=UTC))
    assert (on.days_to_event, on.event_over) == (0, False)
    assert dashboard_for(event, datetime(2014, 11, 6, 20, tzinfo=UTC)).days_to_event == 0
    over = dashboard_for(event, datetime(2014, 11, 7, 0, 30, tzinfo=UTC))
    assert (over.days_to_event, over.event_over) == (None, True)


def test_the_dashboard_asks_the_same_number_of_queries_for_few_or_many(app):
    event = make_event()
    register(event, "first@police.example")
    db.session.flush()

    def queries() -> int:
        with counting_queries() as statements:
            dashboard_for(event, BEFORE)
        return len(statements)

    few = queries()
    for n in range(40):
        registration = register(event, f"d{n}@police.example", country=["NL", "DE", "TH"][n % 3])
        registration.created_at = BEFORE - timedelta(days=n)
    db.session.flush()
    assert queries() == few <= 4


def test_a_sign_up_dated_long_after_the_event_does_not_stretch_the_chart(app):
    event = make_event()  # 5 and 6 November 2014
    signed_up_at(event, "a@police.example", datetime(2014, 9, 1, 9, tzinfo=UTC))
    signed_up_at(event, "b@police.example", datetime(2014, 9, 3, 9, tzinfo=UTC))
    signed_up_at(event, "stray@police.example", datetime(2026, 12, 2, 9, tzinfo=UTC))
    dashboard = dashboard_for(event, datetime(2026, 12, 2, 10, tzinfo=UTC))
    assert dashboard.signups_per == "day"
    assert [(bar.key, bar.count) for bar in dashboard.signups] == [
        ("2014-09-01", 1),
        ("2014-09-02", 0),
        ("2014-09-03", 1),
    ]
    assert dashboard.signups_left_out == 1
    assert dashboard.signups_period == (date(2013, 11, 6), date(2014, 11, 6))
    assert dashboard.total == 3  # counted everywhere else


def test_sign_ups_are_drawn_from_an_early_opening_but_never_over_more_than_two_years(app):
    event = make_event(registration_opens_at=datetime(2013, 9, 2, 7, tzinfo=UTC))
    signed_up_at(event, "early@police.example", datetime(2013, 3, 1, 9, tzinfo=UTC))
    signed_up_at(event, "a@police.example", datetime(2013, 9, 4, 9, tzinfo=UTC))
    signed_up_at(event, "b@police.example", datetime(2014, 10, 28, 9, tzinfo=UTC))
    dashboard = dashboard_for(event, BEFORE)
    assert dashboard.signups_period == (date(2013, 9, 2), date(2014, 11, 6))
    assert dashboard.signups_left_out == 1
    assert dashboard.signups[0].key == "2013-09-02"  # the Monday of the first sign-up's week
    assert dashboard.signups[-1].key == "2014-10-27"

    event.registration_opens_at = datetime(2001, 1, 1, tzinfo=UTC)  # a slip of the keyboard
    assert dashboard_for(event, BEFORE).signups_period == (date(2012, 11, 6), date(2014, 11, 6))


def test_labels_carry_the_year_when_the_weeks_span_two(app):
    event = make_event(starts_on=date(2015, 1, 14), ends_on=date(2015, 1, 15))
    signed_up_at(event, "a@police.example", datetime(2014, 11, 12, 9, tzinfo=UTC))
    signed_up_at(event, "b@police.example", datetime(2015, 1, 7, 9, tzinfo=UTC))
    weeks = dashboard_for(event, BEFORE).signups
    assert weeks[0].label == "10 Nov 2014"
    assert weeks[-1].label == "5 Jan 2015"
    assert len(weeks) == 9


def test_the_event_tile_knows_whether_registration_is_open(app):
    event = make_event()
    assert dashboard_for(event, BEFORE).registration_open
    over = dashboard_for(event, datetime(2014, 11, 7, 0, 30, tzinfo=UTC))
    assert (over.event_over, over.registration_open) == (True, False)
