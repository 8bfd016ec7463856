"""Confirmed workshop places never exceed the workshop's capacity, also under a storm of sign-ups.

Delegates' browsers, each logged in through the login form with its own cookies, open their
agenda and press Sign up for the same workshop at the same moment, over real HTTP against the
live server. A test-only switch widens the race window (a pause after counting the confirmed
places); the control test runs the same storm without the session lock (nor the registration's,
which on SQLite starts the one write transaction all the same) and shows that it then
overbooks, so the first test would catch a missing lock.

On PostgreSQL: fifty sign-ups for five places. On SQLite, whose one writer at a time makes the
others wait at most five seconds, a smaller storm: twelve sign-ups for three places.
"""

import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pytest
import sqlalchemy as sa

from conference.extensions import db
from conference.models import (
    AuditEntry,
    OutboxEmail,
    ProgrammeSession,
    Registration,
    SessionSignup,
)
from conference.models import SignupStatus as Signup
from conference.services import locks
from conference.services.programme import workshops
from tests.concurrency.http_browser import STORM_SETTINGS, Answer, Browser
from tests.environment import on_postgres
from tests.factories import PASSWORD, make_event, register, workshop
from tests.workshop_helpers import publish

if on_postgres():
    CAPACITY = 5
    DELEGATES = 50  # each signs up once, from their own browser
    RACE_WINDOW = 0.2  # seconds between counting the confirmed places and taking one
else:
    CAPACITY, DELEGATES, RACE_WINDOW = 3, 12, 0.1
STORM_TIMEOUT = 45  # seconds, for all the sign-ups together


@pytest.fixture
def app_settings() -> dict:
    return STORM_SETTINGS


def delegate_email(number: int) -> str:
    return f"delegate{number:02}@police.example"


def delegate_browser(base_url: str, email: str) -> Browser:
    browser = Browser(base_url)
    login = browser.form_on("/account/login")
    answer = browser.post(
        "/account/login", {"csrf_token": login["csrf_token"], "email": email, "password": PASSWORD}
    )
    assert answer.is_redirect and answer.location.endswith("/vgt-2014/registration"), answer.status
    return browser


@dataclass(frozen=True)
class SignUpButton:
    """The Sign up button of one workshop on one delegate's agenda page."""

    browser: Browser
    email: str
    path: str
    csrf_token: str

    @classmethod
    def on_the_agenda_of(cls, base_url: str, email: str, session_id: int) -> "SignUpButton":
        browser = delegate_browser(base_url, email)
        path = f"/vgt-2014/agenda/workshops/{session_id}"
        form = browser.form_on("/vgt-2014/agenda", action=path)
        return cls(browser, email, path, form["csrf_token"])

    def click(self) -> Answer:
        return self.browser.post(self.path, {"csrf_token": self.csrf_token})


@dataclass(frozen=True)
class Storm:
    answers: list[Answer]
    statuses_in_database: Counter
    audit_entries: int
    confirmation_emails: int
    waiting_list_emails: int

    @property
    def answered(self) -> Counter:
        return Counter("redirect" if a.is_redirect else a.status for a in self.answers)


def seed_a_workshop_and_many_approved_delegates(app) -> int:
    with app.app_context():
        event = make_event(capacity=DELEGATES + 10, approval_required=False)  # all approved
        session = workshop(event, "Finding the child", capacity=CAPACITY)
        publish(event)
        for number in range(DELEGATES):
            register(event, delegate_email(number))
        db.session.commit()
        return session.id


def load_session_without_lock(session_id: int) -> ProgrammeSession | None:
    """`locks.lock_session` without taking the lock: the bug the control test plants."""
    return db.session.scalars(
        sa.select(ProgrammeSession)
        .where(ProgrammeSession.id == session_id)
        .execution_options(populate_existing=True)
    ).first()


def load_registration_without_lock(registration_id: int) -> Registration:
    """`locks.lock_registration` without taking the lock."""
    return db.session.scalars(
        sa.select(Registration)
        .where(Registration.id == registration_id)
        .execution_options(populate_existing=True)
    ).one()


def widen_the_race_window(monkeypatch) -> None:
    """Pause after counting the confirmed places, so that racing requests overlap for sure."""
    count = workshops.confirmed_count

    def confirmed_count_then_pause(session_id: int) -> int:
        taken = count(session_id)
        time.sleep(RACE_WINDOW)
        return taken

    monkeypatch.setattr(workshops, "confirmed_count", confirmed_count_then_pause)
    # All the requests queue for the session lock: the last one waits its turn, not "busy".
    monkeypatch.setattr(locks, "LOCK_TIMEOUT", f"{STORM_TIMEOUT}s")


def click_all_at_once(buttons: list[SignUpButton]) -> list[Answer]:
    start = threading.Barrier(len(buttons), timeout=STORM_TIMEOUT)

    def click_when_all_are_ready(button: SignUpButton) -> Answer:
        start.wait()
        return button.click()

    with ThreadPoolExecutor(max_workers=len(buttons)) as pool:
        return list(pool.map(click_when_all_are_ready, buttons, timeout=STORM_TIMEOUT))


def count_where(model, *conditions) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*conditions))


def run_sign_up_storm(live_server, monkeypatch, *, lock_the_session: bool) -> Storm:
    session_id = seed_a_workshop_and_many_approved_delegates(live_server.app)
    buttons = [
        SignUpButton.on_the_agenda_of(live_server.url, delegate_email(number), session_id)
        for number in range(DELEGATES)
    ]

    widen_the_race_window(monkeypatch)
    if not lock_the_session:
        monkeypatch.setattr(workshops, "lock_session", load_session_without_lock)
        monkeypatch.setattr(workshops, "lock_registration", load_registration_without_lock)
    answers = click_all_at_once(buttons)

    with live_server.app.app_context():  # a new session: nothing cached from before the storm
        statuses = Counter(
            db.session.scalars(
                sa.select(SessionSignup.status).where(SessionSignup.session_id == session_id)
            ).all()
        )
        return Storm(
            answers,
            statuses,
            count_where(AuditEntry, AuditEntry.action == "workshop.signed_up"),
            count_where(OutboxEmail, OutboxEmail.subject.contains("you have a place in")),
            count_where(OutboxEmail, OutboxEmail.subject.contains("on the waiting list for")),
        )


def test_concurrent_sign_ups_never_exceed_the_workshops_places(live_server, monkeypatch):
    storm = run_sign_up_storm(live_server, monkeypatch, lock_the_session=True)

    # Exactly the places, and everyone else on the waiting list: every sign-up really ran.
    assert storm.statuses_in_database == {
        Signup.CONFIRMED: CAPACITY,
        Signup.WAITLISTED: DELEGATES - CAPACITY,
    }
    # Every request was answered with the way back to the agenda; none failed.
    assert storm.answered == {"redirect": DELEGATES}
    assert all(a.location.endswith("/vgt-2014/agenda#workshops") for a in storm.answers)
    # Each sign-up wrote its audit entry and queued its email.
    assert storm.audit_entries == DELEGATES
    assert storm.confirmation_emails == CAPACITY
    assert storm.waiting_list_emails == DELEGATES - CAPACITY


def test_without_the_session_lock_the_same_storm_overbooks(live_server, monkeypatch):
    storm = run_sign_up_storm(live_server, monkeypatch, lock_the_session=False)

    assert storm.statuses_in_database[Signup.CONFIRMED] > CAPACITY, storm.answered


# --- one delegate, many workshops at the same time ------------------------------------------------

CLASHING = 6  # workshops at the same time, each with free places


def seed_clashing_workshops(app) -> list[int]:
    with app.app_context():
        event = make_event(approval_required=False)
        ids = [workshop(event, f"Workshop {n}", capacity=10).id for n in range(CLASHING)]
        publish(event)
        register(event, delegate_email(0))
        db.session.commit()
        return ids


def widen_the_clash_window(monkeypatch) -> None:
    """Pause after looking for a clash, so that the delegate's sign-ups overlap for sure."""
    check = workshops.clashing_workshop

    def clashing_workshop_then_pause(*args, **kwargs):
        found = check(*args, **kwargs)
        time.sleep(RACE_WINDOW)
        return found

    monkeypatch.setattr(workshops, "clashing_workshop", clashing_workshop_then_pause)
    monkeypatch.setattr(locks, "LOCK_TIMEOUT", f"{STORM_TIMEOUT}s")


def run_clashing_storm(live_server, monkeypatch, *, lock_the_registration: bool) -> Storm:
    ids = seed_clashing_workshops(live_server.app)
    browser = delegate_browser(live_server.url, delegate_email(0))
    token = browser.form_on("/vgt-2014/agenda", action=f"/vgt-2014/agenda/workshops/{ids[0]}")
    buttons = [
        SignUpButton(
            browser, delegate_email(0), f"/vgt-2014/agenda/workshops/{i}", token["csrf_token"]
        )
        for i in ids
    ]
    widen_the_clash_window(monkeypatch)
    if not lock_the_registration:
        monkeypatch.setattr(workshops, "lock_registration", lambda registration_id: None)
    answers = click_all_at_once(buttons)
    with live_server.app.app_context():
        statuses = Counter(db.session.scalars(sa.select(SessionSignup.status)).all())
    return Storm(answers, statuses, 0, 0, 0)


postgres_only = pytest.mark.skipif(
    not on_postgres(), reason="SQLite serialises all writers anyway (set TEST_DATABASE_URL)"
)


@pytest.mark.postgres
@postgres_only
def test_one_delegate_clicking_workshops_at_the_same_time_gets_one_place(live_server, monkeypatch):
    storm = run_clashing_storm(live_server, monkeypatch, lock_the_registration=True)

    assert storm.statuses_in_database == {Signup.CONFIRMED: 1}
    assert storm.answered == {"redirect": 1, 409: CLASHING - 1}
    assert all("is at the same time" in a.body for a in storm.answers if not a.is_redirect)


@pytest.mark.postgres
@postgres_only
def test_without_the_registration_lock_one_delegate_gets_clashing_places(live_server, monkeypatch):
    storm = run_clashing_storm(live_server, monkeypatch, lock_the_registration=False)

    assert storm.statuses_in_database[Signup.CONFIRMED] > 1, storm.answered
