"""Approved registrations never exceed the event's capacity, also under a storm of approvals.

Organisers' browsers, each logged in through the login form with its own cookies, open many
pending registrations and click Approve at the same moment, over real HTTP against the live
server. A test-only switch widens the race window (a pause after counting the approved
registrations); the control test runs the same storm without the event lock and shows that it
then overbooks, so the first test would catch a missing lock.

On PostgreSQL: fifty approvals for five places. On SQLite, whose one writer at a time makes the
others wait at most five seconds, a smaller storm: twelve approvals for three places.
"""

import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pytest
import sqlalchemy as sa

from conference.extensions import db
from conference.models import AuditEntry, Event, OutboxEmail, Registration
from conference.models import RegistrationStatus as Status
from conference.services import locks
from conference.services.registration import workflow
from tests.concurrency.http_browser import STORM_SETTINGS, Answer, Browser
from tests.environment import on_postgres
from tests.factories import PASSWORD, current_code, make_event, make_organiser, register

if on_postgres():
    CAPACITY = 5
    DELEGATES = 50  # each with one pending registration, approved by its own organiser browser
    RACE_WINDOW = 0.2  # seconds between counting the approved places and taking one
else:
    CAPACITY, DELEGATES, RACE_WINDOW = 3, 12, 0.1
STORM_TIMEOUT = 45  # seconds, for all the approvals together


@pytest.fixture
def app_settings() -> dict:
    return STORM_SETTINGS


def organiser_email(number: int) -> str:
    return f"organiser{number:02}@politie.example"


def organiser_browser(base_url: str, email: str) -> Browser:
    """A browser logged in as this organiser: password, then the code from their app."""
    browser = Browser(base_url)
    login = browser.form_on("/account/login")
    answer = browser.post(
        "/account/login", {"csrf_token": login["csrf_token"], "email": email, "password": PASSWORD}
    )
    assert answer.location.endswith("/account/login/code"), answer.status
    code_form = browser.form_on("/account/login/code")
    answer = browser.post(
        "/account/login/code", {"csrf_token": code_form["csrf_token"], "code": current_code()}
    )
    assert answer.is_redirect and answer.location.endswith("/vgt-2014/organiser/registrations"), (
        answer.status
    )
    return browser


# --- the storm ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Storm:
    """What the simultaneous approvals left behind."""

    answers: dict[str, Answer]  # by registration reference
    approved: set[str]  # references approved in the database afterwards
    approval_audit_entries: int
    approval_emails: int

    @property
    def statuses(self) -> Counter:
        return Counter("redirect" if a.is_redirect else a.status for a in self.answers.values())

    @property
    def redirected(self) -> set[str]:
        return {reference for reference, answer in self.answers.items() if answer.is_redirect}


def load_event_without_lock(event_id: int) -> Event:
    """`workflow.lock_event` without taking the lock: the bug the control test plants."""
    return db.session.scalars(
        sa.select(Event).where(Event.id == event_id).execution_options(populate_existing=True)
    ).one()


def widen_the_race_window(monkeypatch) -> None:
    """Pause after counting the approved places, so that racing requests overlap for sure."""
    count = workflow.approved_count

    def approved_count_then_pause(event_id: int) -> int:
        taken = count(event_id)
        time.sleep(RACE_WINDOW)
        return taken

    monkeypatch.setattr(workflow, "approved_count", approved_count_then_pause)
    # Each request now holds the event lock for the pause, and all of them queue for it one after
    # another: let the last one wait for its turn instead of giving up as busy.
    monkeypatch.setattr(locks, "LOCK_TIMEOUT", f"{STORM_TIMEOUT}s")


def seed_a_small_event_with_many_pending_registrations(app) -> list[str]:
    with app.app_context():
        event = make_event(capacity=CAPACITY)
        references = []
        for number in range(DELEGATES):
            # An organiser for each click: a code from the app works once for each person.
            make_organiser(event, organiser_email(number))
            references.append(register(event, f"delegate{number:02}@police.example").reference)
        db.session.commit()
    return references


@dataclass(frozen=True)
class ApproveButton:
    """The Approve button on one registration's page, in one organiser's browser."""

    browser: Browser
    reference: str
    csrf_token: str

    @classmethod
    def opened_by_an_organiser(cls, base_url: str, reference: str, email: str) -> "ApproveButton":
        browser = organiser_browser(base_url, email)
        page = f"/vgt-2014/organiser/registrations/{reference}"
        form = browser.form_on(page, action=cls.path(reference))
        return cls(browser, reference, form["csrf_token"])

    @staticmethod
    def path(reference: str) -> str:
        return f"/vgt-2014/organiser/registrations/{reference}/approve"

    def click(self) -> Answer:
        return self.browser.post(self.path(self.reference), {"csrf_token": self.csrf_token})


def click_all_at_once(buttons: list[ApproveButton]) -> dict[str, Answer]:
    """One thread per button; a barrier lets them all go at the same moment."""
    start = threading.Barrier(len(buttons), timeout=STORM_TIMEOUT)

    def click_when_all_are_ready(button: ApproveButton) -> Answer:
        start.wait()
        return button.click()

    with ThreadPoolExecutor(max_workers=len(buttons)) as pool:
        answers = list(pool.map(click_when_all_are_ready, buttons, timeout=STORM_TIMEOUT))
    return {button.reference: answer for button, answer in zip(buttons, answers, strict=True)}


def run_approval_storm(live_server, monkeypatch, *, lock_the_event: bool) -> Storm:
    references = seed_a_small_event_with_many_pending_registrations(live_server.app)
    buttons = [
        ApproveButton.opened_by_an_organiser(live_server.url, reference, organiser_email(number))
        for number, reference in enumerate(references)
    ]

    widen_the_race_window(monkeypatch)
    if not lock_the_event:
        monkeypatch.setattr(workflow, "lock_event", load_event_without_lock)
    answers = click_all_at_once(buttons)

    with live_server.app.app_context():  # a new session: nothing cached from before the storm
        approved = db.session.scalars(
            sa.select(Registration.reference).where(Registration.status == Status.APPROVED)
        ).all()
        audit_entries = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action == "registration.approved")
        )
        emails = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(OutboxEmail)
            .where(OutboxEmail.subject.contains("approved"))
        )
    return Storm(answers, set(approved), audit_entries, emails)


# --- the tests ------------------------------------------------------------------------------------


def test_concurrent_approvals_never_exceed_the_capacity(live_server, monkeypatch):
    storm = run_approval_storm(live_server, monkeypatch, lock_the_event=True)

    # Not one more than the capacity; and not fewer either, so every approval really ran.
    assert len(storm.approved) == CAPACITY
    # Every request was answered: the winners are redirected, the rest refused, none failed.
    assert storm.statuses == {"redirect": CAPACITY, 409: DELEGATES - CAPACITY}
    assert storm.redirected == storm.approved
    for reference in storm.approved:
        location = storm.answers[reference].location
        assert location.endswith(f"/vgt-2014/organiser/registrations/{reference}")
    for reference, answer in storm.answers.items():
        if reference not in storm.approved:
            assert f"is full: {CAPACITY} of {CAPACITY} places are approved" in answer.body
    # Each approval wrote its audit entry and queued its email, and no refusal did.
    assert storm.approval_audit_entries == CAPACITY
    assert storm.approval_emails == CAPACITY


def test_without_the_event_lock_the_same_storm_overbooks(live_server, monkeypatch):
    storm = run_approval_storm(live_server, monkeypatch, lock_the_event=False)

    assert len(storm.approved) > CAPACITY, storm.statuses
