"""With CSRF protection on, as in production: forms work with their token and fail without."""

import re

import pytest
import sqlalchemy as sa

from conference.extensions import db
from conference.models import Registration
from conference.models import RegistrationStatus as Status
from tests.client import AuthActions, assert_redirects, csrf_token
from tests.factories import PASSWORD, register


@pytest.fixture
def app_settings():
    return {"WTF_CSRF_ENABLED": True}


def log_in(client, email, password=PASSWORD):
    return AuthActions(client).login(email, password)


def test_a_form_without_its_token_is_refused_with_a_clear_message(client, delegate):
    response = client.post("/account/login", data={"email": delegate.email, "password": PASSWORD})
    assert response.status_code == 400
    assert "This form had expired or was sent from another site" in response.text


def test_log_in_with_the_token_from_the_form(client, delegate):
    assert_redirects(log_in(client, delegate.email), to="/account/")


def test_a_decision_needs_the_token_from_the_detail_page(client, event, organiser):
    registration = register(event, "anna@police.example")
    db.session.commit()
    log_in(client, organiser.email)
    url = f"/vgt-2014/organiser/registrations/{registration.reference}"

    assert client.post(url + "/approve").status_code == 400
    assert db.session.scalar(sa.select(Registration.status)) == Status.PENDING

    token = csrf_token(client.get(url).text)
    assert_redirects(client.post(url + "/approve", data={"csrf_token": token}), to=url)
    assert db.session.scalar(sa.select(Registration.status)) == Status.APPROVED


def test_log_out_from_another_site_does_nothing(client, delegate):
    log_in(client, delegate.email)
    client.post("/account/logout")
    assert client.get("/account/").status_code == 200


def test_the_registration_form_carries_its_token(client, upcoming_event, delegate):
    log_in(client, delegate.email)
    page = client.get("/vgt-2014/register").text
    europol = re.search(r'<option value="(\d+)">Europol</option>', page).group(1)
    response = client.post(
        "/vgt-2014/register",
        data={
            "csrf_token": csrf_token(page),
            "organisation": europol,
            "country": "NL",
            "job_title": "Analyst",
            "invitation_letter_needed": "no",
        },
    )
    assert_redirects(response, to="/vgt-2014/registration")
