"""The On site page: live counts per day, who has not arrived, its export; with CSRF on."""

import csv
import io

import pytest
import sqlalchemy as sa

from conference.extensions import db
from conference.models import AuditEntry
from tests.client import csrf_token
from tests.factories import approved, make_organiser
from tests.on_site_helpers import FIRST_DAY, SECOND_DAY, check_in

PAGE = "/vgt-2014/organiser/on-site"


@pytest.fixture
def app_settings():
    return {"WTF_CSRF_ENABLED": True}


@pytest.fixture
def arrivals(event, organiser):
    anna = approved(event, "anna@police.example")
    ben = approved(event, "ben@police.example")
    check_in(anna, FIRST_DAY)
    db.session.commit()
    return anna, ben


def test_the_dashboard_links_the_on_site_page(client, auth, organiser):
    auth.login(organiser.email)
    assert f'href="{PAGE}"' in client.get("/vgt-2014/organiser/").text


def test_the_page_shows_each_days_count_and_who_has_not_arrived(client, auth, arrivals):
    auth.login("organiser@politie.example")
    page = client.get(PAGE, query_string={"day": "2014-11-05"}).text
    assert "Not arrived yet on Wednesday 5 November 2014" in page
    assert 'data-day="2014-11-05"' in page and 'data-day="2014-11-06"' in page
    assert '<span class="fs-2 fw-semibold" data-checked-in>1</span>' in page
    assert "ben" in page and "anna" not in page.split("not-arrived-heading")[-1]
    assert 'src="/static/js/on-site.js"' in page and "<script>" not in page


def test_the_second_day_lists_everyone_not_yet_checked_in_that_day(client, auth, arrivals):
    auth.login("organiser@politie.example")
    listed = client.get(PAGE, query_string={"day": "2014-11-06"}).text.split("not-arrived-heading")
    assert "Thursday 6 November 2014" in listed[-1]
    assert "anna" in listed[-1] and "ben" in listed[-1]


def test_a_day_the_event_does_not_have_is_a_400_with_the_reason(client, auth, arrivals):
    auth.login("organiser@politie.example")
    for asked, reason in [
        ("2014-11-09", "9 November 2014 is not a day of VGT 2014."),
        ("tuesday", "“tuesday” is not a date."),
    ]:
        response = client.get(PAGE, query_string={"day": asked})
        assert response.status_code == 400
        assert reason in response.text
        assert "Not arrived yet on Wednesday 5 November 2014" in response.text


def test_the_counts_are_live_json(client, auth, event, arrivals):
    auth.login("organiser@politie.example")
    url = PAGE + "/counts.json"
    assert client.get(url).json == {
        "days": [
            {"day": "2014-11-05", "checked_in": 1, "expected": 2, "still_expected": 1},
            {"day": "2014-11-06", "checked_in": 0, "expected": 2, "still_expected": 2},
        ]
    }
    check_in(arrivals[1], SECOND_DAY)
    db.session.commit()
    assert client.get(url).json["days"][1]["checked_in"] == 1


def test_check_in_staff_and_delegates_see_no_counts(client, auth, event, arrivals):
    make_organiser(event, "desk@politie.example", role="check_in")
    db.session.commit()
    auth.login("desk@politie.example")
    assert client.get(PAGE + "/counts.json").status_code == 403
    assert client.get(PAGE).status_code == 403


def test_the_not_arrived_list_downloads_with_its_token_and_is_audited(client, auth, arrivals):
    auth.login("organiser@politie.example")
    token = csrf_token(client.get(PAGE, query_string={"day": "2014-11-05"}).text)
    url = PAGE + "/not-arrived"

    assert client.post(url, data={"day": "2014-11-05", "format": "csv"}).status_code == 400
    response = client.post(
        url, data={"day": "2014-11-05", "format": "csv", "csrf_token": token}, buffered=True
    )

    assert response.status_code == 200
    assert 'filename="vgt-2014-not-arrived-2014-11-05-' in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).removeprefix("\ufeff"))))
    assert [row[0] for row in rows[1:]] == ["ben"]
    entry = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "export.not_arrived")
    ).one()
    assert (entry.details["day"], entry.details["rows"]) == ("2014-11-05", 1)


def test_an_export_of_a_day_the_event_does_not_have_is_refused(client, auth, arrivals):
    auth.login("organiser@politie.example")
    token = csrf_token(client.get(PAGE).text)
    response = client.post(
        PAGE + "/not-arrived",
        data={"day": "2014-11-09", "format": "xlsx", "csrf_token": token},
    )
    assert response.status_code == 400
    assert "9 November 2014 is not a day of VGT 2014." in response.text
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action == "export.not_arrived")
        )
        == 0
    )
