"""The dashboard: the event's registrations counted and drawn, for every team member who reads."""

import re
from datetime import UTC, date, datetime, timedelta

from conference.extensions import db
from conference.models import Registration
from conference.services.registration import workflow
from tests.environment import counting_queries
from tests.factories import make_organiser, register

DASHBOARD = "/vgt-2014/organiser/"


def seed(event, count: int, **overrides) -> list[Registration]:
    made = [register(event, f"delegate{n:03d}@police.example", **overrides) for n in range(count)]
    db.session.commit()
    return made


def test_the_dashboard_shows_capacity_statuses_countries_and_kinds(client, auth, event, organiser):
    first, second, third = seed(event, 3, country="NL")
    workflow.approve_registration(first, actor=organiser)
    workflow.waitlist_registration(second, actor=organiser)
    db.session.commit()
    auth.login(organiser.email)
    page = client.get(DASHBOARD).text
    assert "1 <span" in page and "of 150" in page
    assert "149" in page  # places left
    assert "Registrations per status" in page
    assert "Registrations per country" in page
    assert "<svg" in page and 'aria-hidden="true"' in page
    assert "style=" not in page
    assert "United States" in page  # a participating country with none yet
    assert "Netherlands" in page


def test_a_viewer_reads_the_dashboard_without_links_to_settings(client, auth, event):
    make_organiser(event, "viewer@politie.example", role="viewer")
    db.session.commit()
    auth.login("viewer@politie.example")
    page = client.get(DASHBOARD).text
    assert "Dashboard" in page
    assert "/organiser/settings" not in page


def test_the_dashboard_counts_the_days_to_the_event(client, auth, event, organiser):
    today = datetime.now(UTC).date()
    event.starts_on, event.ends_on = today + timedelta(days=12), today + timedelta(days=13)
    db.session.commit()
    auth.login(organiser.email)
    page = client.get(DASHBOARD).text
    assert "12 days <span" in page and "to go" in page
    assert "No registrations yet." in page


def test_the_dashboard_says_when_the_event_is_on_and_when_it_is_over(
    client, auth, event, organiser
):
    auth.login(organiser.email)
    assert "The event is over" in client.get(DASHBOARD).text  # November 2014
    today = datetime.now(UTC).date()
    event.starts_on, event.ends_on = today - timedelta(days=1), today + timedelta(days=1)
    db.session.commit()
    assert "The event is on" in client.get(DASHBOARD).text


def test_sign_ups_are_drawn_per_week_when_they_span_months(client, auth, event, organiser):
    for n, registration in enumerate(seed(event, 3)):
        registration.created_at = datetime(2014, 7, 1, 10, tzinfo=UTC) + timedelta(days=30 * n)
    db.session.commit()
    auth.login(organiser.email)
    page = client.get(DASHBOARD).text
    assert "Sign-ups per week" in page
    assert "weeks start on Monday" in page


def test_the_dashboard_asks_as_many_queries_for_many_registrations_as_for_few(
    client, auth, event, organiser
):
    seed(event, 2)
    auth.login(organiser.email)

    def queries() -> int:
        with counting_queries() as statements:
            assert client.get(DASHBOARD).status_code == 200
        return len(statements)

    few = queries()
    for n in range(50):
        register(event, f"more{n:03d}@police.example", country=["DE", "TH", "NL"][n % 3])
    db.session.commit()
    assert queries() == few


def test_the_chart_and_its_table_show_the_same_weeks_when_one_sign_up_is_dated_today(
    client, auth, event, organiser
):
    first, second, today = seed(event, 3)
    first.created_at = datetime(2014, 8, 4, 9, tzinfo=UTC)
    second.created_at = datetime(2014, 10, 27, 9, tzinfo=UTC)
    today.created_at = datetime.now(UTC)  # the event of November 2014 is long over
    db.session.commit()
    auth.login(organiser.email)
    page = client.get(DASHBOARD).text
    chart = page.partition('id="over-time"')[2].partition("</section>")[0]
    svg, _, table = chart.partition("</svg>")
    rows = re.findall(r'<th scope="row" class="fw-normal">([^<]+)</th>', table)
    mondays = [date(2014, 8, 4) + timedelta(weeks=n) for n in range(13)]  # to 27 October
    assert rows == [monday.strftime("%-d %b") for monday in mondays]
    axis = r'class="chart-label chart-axis-label[^"]*" x="[\d.]+" y="224">([^<]+)<'
    drawn = re.findall(axis, svg)
    assert drawn and set(drawn) <= set(rows)
    assert svg.count('<rect class="chart-bar"') == 2
    assert "1 registration dated outside these days is not drawn." in chart
    assert "The event is over" in page and "Registration closed" in page
