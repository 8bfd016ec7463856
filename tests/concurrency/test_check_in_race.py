"""Desks scanning one badge at the same instant make one check-in.

Check-in staff's browsers, each logged in through the real forms, scan the same delegate's
badge at once, over real HTTP against the live server. A test-only switch widens the race
window (a pause after looking for today's check-in, so every desk finds none); the database's
unique constraint on (registration, day) leaves one. The control drops that constraint and
shows that the same storm then checks the delegate in more than once, so the first test would
catch a desk that counted twice.

On PostgreSQL: twenty desks. On SQLite, whose one writer at a time makes the others wait, four.
"""

import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
import sqlalchemy as sa

from conference.extensions import db
from conference.local_time import local_date
from conference.models import AuditEntry, CheckIn, utcnow
from conference.services.on_site import badges, check_in
from tests.concurrency.http_browser import STORM_SETTINGS, Answer, Browser
from tests.environment import on_postgres
from tests.factories import PASSWORD, approved, current_code, make_event, make_organiser

DESKS = 20 if on_postgres() else 4
RACE_WINDOW = 0.2  # seconds between finding no check-in today and making one
STORM_TIMEOUT = 45
DESK = "/vgt-2014/check-in/"


@pytest.fixture
def app_settings() -> dict:
    return STORM_SETTINGS


def staff_email(number: int) -> str:
    return f"desk{number:02}@politie.example"


def seed_a_delegate_and_many_desks(app) -> str:
    with app.app_context():
        today = local_date(utcnow(), "Europe/Amsterdam")
        event = make_event(starts_on=today, ends_on=today + timedelta(days=1))
        for number in range(DESKS):
            make_organiser(event, staff_email(number), role="check_in")
        delegate = approved(event, "anna@police.example")
        token = badges.token_of(badges.badge_of(delegate, actor=None))
        db.session.commit()
        return token


def desk_browser(base_url: str, email: str) -> tuple[Browser, str]:
    """A desk's browser, logged in (password, then the authenticator's code), and the CSRF
    token of its scan form."""
    browser = Browser(base_url)
    login = browser.form_on("/account/login")
    browser.post(
        "/account/login", {"csrf_token": login["csrf_token"], "email": email, "password": PASSWORD}
    )
    code = browser.form_on("/account/login/code")
    answer = browser.post(
        "/account/login/code", {"csrf_token": code["csrf_token"], "code": current_code()}
    )
    assert answer.is_redirect and answer.location.endswith(DESK), answer.status
    return browser, browser.form_on(DESK, action=DESK)["csrf_token"]


def widen_the_race_window(monkeypatch) -> None:
    look = check_in.existing_check_in

    def existing_check_in_then_pause(registration_id, day):
        found = look(registration_id, day)
        time.sleep(RACE_WINDOW)
        return found

    monkeypatch.setattr(check_in, "existing_check_in", existing_check_in_then_pause)


def scan_all_at_once(desks: list[tuple[Browser, str]], token: str) -> list[Answer]:
    start = threading.Barrier(len(desks), timeout=STORM_TIMEOUT)

    def scan_when_all_are_ready(desk: tuple[Browser, str]) -> Answer:
        browser, csrf_token = desk
        start.wait()
        return browser.post(DESK, {"csrf_token": csrf_token, "code": token})

    with ThreadPoolExecutor(max_workers=len(desks)) as pool:
        return list(pool.map(scan_when_all_are_ready, desks, timeout=STORM_TIMEOUT))


def run_scan_storm(live_server, monkeypatch) -> tuple[list[Answer], int, int]:
    token = seed_a_delegate_and_many_desks(live_server.app)
    desks = [desk_browser(live_server.url, staff_email(n)) for n in range(DESKS)]
    widen_the_race_window(monkeypatch)
    answers = scan_all_at_once(desks, token)
    with live_server.app.app_context():
        count = db.session.scalar(sa.select(sa.func.count()).select_from(CheckIn))
        audited = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action == "check_in.checked_in")
        )
    return answers, count, audited


def shown(answer: Answer) -> str:
    if "desk-checked_in" in answer.body:
        return "checked in"
    if "desk-already" in answer.body:
        return "already"
    return str(answer.status)


def test_desks_scanning_one_badge_at_once_make_one_check_in(live_server, monkeypatch):
    answers, check_ins, audited = run_scan_storm(live_server, monkeypatch)

    assert check_ins == 1 and audited == 1
    assert Counter(a.status for a in answers) == {200: DESKS}
    assert Counter(shown(a) for a in answers) == {"checked in": 1, "already": DESKS - 1}


@pytest.fixture
def without_the_unique_constraint(live_server):
    """The bug the control plants: a database that lets one delegate arrive twice a day."""
    with live_server.app.app_context():
        db.session.execute(
            sa.text("ALTER TABLE check_in DROP CONSTRAINT uq_check_in_registration_id_day")
        )
        db.session.commit()
    yield
    with live_server.app.app_context():
        db.session.execute(sa.text("DELETE FROM check_in"))
        db.session.execute(
            sa.text(
                "ALTER TABLE check_in ADD CONSTRAINT uq_check_in_registration_id_day "
                "UNIQUE (registration_id, day)"
            )
        )
        db.session.commit()


@pytest.mark.postgres
@pytest.mark.skipif(not on_postgres(), reason="SQLite cannot drop a constraint in place")
def test_without_the_unique_constraint_the_same_storm_checks_in_twice(
    live_server, monkeypatch, without_the_unique_constraint
):
    _, check_ins, _ = run_scan_storm(live_server, monkeypatch)

    assert check_ins > 1
