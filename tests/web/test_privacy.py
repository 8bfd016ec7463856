"""A delegate downloads their data and erases their account from the account page, through its
forms with CSRF protection on."""

import json

import pytest
import sqlalchemy as sa

from conference.extensions import db
from conference.models import AuditEntry
from conference.services.people import accounts
from tests.client import assert_redirects, csrf_token
from tests.factories import PASSWORD, approved
from tests.on_site_helpers import FIRST_DAY, check_in


@pytest.fixture
def app_settings() -> dict:
    return {"WTF_CSRF_ENABLED": True}


def test_the_account_page_offers_the_download_and_the_erasure(client, auth, delegate):
    auth.login()
    page = client.get("/account/").text
    assert 'href="/account/data.json"' in page and 'href="/account/erase"' in page


def test_the_download_holds_every_field_of_the_registration_and_is_never_cached(
    client, auth, event
):
    registration = approved(event, "dana@police.example")
    check_in(registration, FIRST_DAY)
    db.session.commit()
    auth.login("dana@police.example")
    response = client.get("/account/data.json")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.text)
    assert data["account"]["email"] == "dana@police.example"
    assert "password_hash" not in data["account"] and "session_token" not in data["account"]
    [mine] = data["registrations"]
    assert mine["reference"] == registration.reference
    assert mine["dietary_needs"] == "Vegetarian" and mine["job_title"] == "Detective Inspector"
    assert [(c["purpose"], c["withdrawn_at"]) for c in mine["consents"]] == [
        ("participant_list", None)
    ]
    assert [c["day"] for c in mine["check_ins"]] == ["2014-11-05"]
    assert [e["subject"] for e in data["emails"]] == [
        f"VGT 2014: we have received your registration {registration.reference}",
        f"VGT 2014: your registration {registration.reference} is approved",
    ]
    assert db.session.scalars(
        sa.select(AuditEntry.action).where(AuditEntry.action == "user.downloaded_data")
    ).all() == ["user.downloaded_data"]


def _erase(client, password: str):
    token = csrf_token(client.get("/account/erase").text)
    return client.post("/account/erase", data={"password": password, "csrf_token": token})


def test_erasing_asks_for_the_password_and_logs_out(client, auth, event, delegate):
    auth.login()
    wrong = _erase(client, "not my password at all")
    assert wrong.status_code == 400 and "That is not your password." in wrong.text
    assert accounts.find_user("delegate@police.example") is not None
    response = _erase(client, PASSWORD)
    assert_redirects(response, to="/")
    assert accounts.find_user("delegate@police.example") is None
    assert_redirects(client.get("/account/"), to="/account/login?next=%2Faccount%2F")


def test_the_last_organiser_is_told_why_they_cannot_erase_their_account(
    client, auth, event, organiser
):
    auth.login("organiser@politie.example")
    response = _erase(client, PASSWORD)
    assert response.status_code == 409
    assert "You are the last organiser of VGT 2014" in response.text
    assert accounts.find_user("organiser@politie.example") is not None
