"""Input no person types by mistake, but anyone can send: a clear 400 or a refusal on the form,
never a 500, on SQLite and on PostgreSQL alike."""

import pytest
import sqlalchemy as sa

from conference.extensions import db
from conference.models import Event, User
from tests.web.test_settings import form as settings_form

SETTINGS = "/vgt-2014/organiser/settings"


@pytest.mark.parametrize(
    "path", ["/%00/", "/vgt-2014%00/", "/vgt-2014/programme?day=%00", "/account/verify/%00"]
)
def test_a_nul_byte_in_the_address_is_a_bad_request(client, event, path):
    response = client.get(path)
    assert response.status_code == 400
    assert "The request could not be understood." in response.text


def test_a_nul_byte_in_a_form_field_is_a_bad_request(client, delegate):
    response = client.post(
        "/account/login", data={"email": "delegate\x00@police.example", "password": "x" * 12}
    )
    assert response.status_code == 400
    signup = client.post(
        "/account/signup",
        data={"name": "Nul\x00", "email": "nul@police.example", "password": "long enough pass"},
    )
    assert signup.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 1


def test_a_nul_byte_in_a_back_office_search_is_a_bad_request(client, auth, organiser):
    auth.login(organiser.email)
    response = client.get("/vgt-2014/organiser/registrations", query_string={"q": "a\x00b"})
    assert response.status_code == 400


@pytest.mark.parametrize("page", [str(10**30), str(2**62), "-5"])
@pytest.mark.parametrize(
    "path", ["/vgt-2014/organiser/registrations", "/vgt-2014/organiser/audit-log"]
)
def test_a_page_number_past_any_list_is_a_bad_request(client, auth, organiser, path, page):
    auth.login(organiser.email)
    response = client.get(path, query_string={"page": page})
    assert response.status_code == 400
    assert "The request could not be understood." in response.text


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_event_dates_out_of_the_calendar_are_refused_on_the_form(
    client, auth, event, organiser, day
):
    auth.login(organiser.email)
    response = client.post(SETTINGS, data=settings_form(starts_on=day, ends_on=day))
    assert response.status_code == 400
    assert "Give a date between the years 1900 and 2200." in response.text
    db.session.expire_all()
    assert db.session.get(Event, event.id).starts_on.year == 2014
    window = client.post(
        SETTINGS, data=settings_form(registration_opens=f"{day}T00:00", registration_closes="")
    )
    assert window.status_code == 400
    assert "Give a date between the years 1900 and 2200." in window.text


def test_the_dashboard_of_an_event_with_no_countries_and_nobody_yet(client, auth, event, organiser):
    event.participating_countries = []
    db.session.commit()
    auth.login(organiser.email)
    response = client.get("/vgt-2014/organiser/")
    assert response.status_code == 200
    assert "no participating countries named" in response.text
