"""A registration form sent twice at once, as a double click does, registers once."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa

from conference.extensions import db
from conference.models import Registration
from tests.concurrency.http_browser import Browser
from tests.factories import PASSWORD, make_event, make_user, next_november

CLICKS = 2


@pytest.fixture
def app_settings() -> dict:
    return {"WTF_CSRF_ENABLED": True}


def test_a_double_clicked_registration_registers_once(live_server):
    with live_server.app.app_context():
        event = make_event(**next_november())
        europol = next(link.organisation.id for link in event.organisations if not link.is_host)
        make_user("anna@police.example")
        db.session.commit()

    browser = Browser(live_server.url)
    login = browser.form_on("/account/login")
    browser.post(
        "/account/login",
        {"csrf_token": login["csrf_token"], "email": "anna@police.example", "password": PASSWORD},
    )
    fields = {
        "csrf_token": browser.form_on("/vgt-2014/register")["csrf_token"],
        "organisation": str(europol),
        "country": "NL",
        "job_title": "Analyst",
        "invitation_letter_needed": "no",
    }
    start = threading.Barrier(CLICKS, timeout=10)

    def click(_):
        start.wait()
        return browser.post("/vgt-2014/register", fields)

    with ThreadPoolExecutor(max_workers=CLICKS) as pool:
        answers = list(pool.map(click, range(CLICKS), timeout=30))

    assert all(answer.is_redirect for answer in answers), [answer.status for answer in answers]
    assert {answer.location for answer in answers} == {"/vgt-2014/registration"}
    with live_server.app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)) == 1
