"""Passport details sent while another request changes the same registration: the
registration's lock serialises the two, so the letter is decided on what is true when it is
issued, never on what the request read before.

The first request (a cancellation, or the same details sent a moment earlier, as a double click
does) runs in a thread of its own up to its commit and waits there. The second then starts, and
the first commits as soon as the second sends a statement that writes or locks: whatever the
second decided before that statement, it decided on what it had read while the first was not
committed yet. No pauses: each step waits for the one before it. On SQLite and PostgreSQL.
"""

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa

from conference.extensions import db
from conference.models import Registration, User, VisaLetter
from conference.models import RegistrationStatus as Status
from conference.services.on_site import visa_letters
from conference.services.on_site.visa_letters import LetterNotAvailable
from conference.services.registration import workflow
from tests.factories import make_organiser
from tests.on_site_helpers import PASSPORT, asked_for_letter, letter_worded

TIMEOUT = 10  # seconds, for each step to wait for the one before it


def writes_or_locks(statement: str) -> bool:
    words = statement.lstrip().upper()
    return words.startswith(("INSERT", "UPDATE", "DELETE")) or "FOR UPDATE" in words


def first_commits_once_the_second_writes(
    app, first: Callable[[], object], second: Callable[[], object]
) -> object:
    """Run `first` up to its commit; then `second`, in a request of its own. `first` commits
    when `second` sends its first statement that writes or locks. Returns what `second`
    returned (after its commit), or the domain error it raised."""
    first_done = threading.Event()
    second_writes = threading.Event()
    second_thread: list[int] = []

    def note_the_second_writing(conn, cursor, statement, parameters, context, executemany):
        if threading.get_ident() in second_thread and writes_or_locks(statement):
            second_writes.set()

    def run_first() -> None:
        with app.app_context():
            first()
            db.session.flush()
            first_done.set()
            assert second_writes.wait(TIMEOUT), "the second request never wrote"
            db.session.commit()

    def run_second() -> object:
        second_thread.append(threading.get_ident())
        with app.app_context():
            try:
                answer = second()
            except LetterNotAvailable as refused:
                return refused
            db.session.commit()
            return answer

    sa.event.listen(db.engine, "before_cursor_execute", note_the_second_writing)
    try:
        with ThreadPoolExecutor(max_workers=2) as pool:
            first_request = pool.submit(run_first)
            assert first_done.wait(TIMEOUT), "the first request never got to its commit"
            answer = pool.submit(run_second).result(timeout=TIMEOUT)
            first_request.result(timeout=TIMEOUT)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", note_the_second_writing)
    return answer


@pytest.fixture
def siriporn_id(event) -> int:
    letter_worded(event)
    registration = asked_for_letter(event, "siriporn@dsi.example")
    db.session.commit()
    return registration.id


def approved_registration(registration_id: int) -> Registration:
    """The registration as a request reads it: approved, when the first has not committed."""
    registration = db.session.get(Registration, registration_id)
    assert registration.status == Status.APPROVED
    return registration


def give_the_details(registration_id: int) -> int:
    registration = approved_registration(registration_id)
    return visa_letters.give_details(registration, PASSPORT, actor=registration.user).id


def valid_letters() -> list[VisaLetter]:
    db.session.expire_all()
    return db.session.scalars(sa.select(VisaLetter).where(VisaLetter.withdrawn_at.is_(None))).all()


def test_details_sent_as_the_delegate_cancels_issue_no_letter(app, siriporn_id):
    def cancel() -> None:
        registration = db.session.get(Registration, siriporn_id)
        workflow.cancel_registration(registration, actor=registration.user)

    answer = first_commits_once_the_second_writes(
        app, cancel, lambda: give_the_details(siriporn_id)
    )

    assert isinstance(answer, LetterNotAvailable), answer
    assert db.session.get(Registration, siriporn_id).status == Status.CANCELLED
    assert valid_letters() == []


def test_a_reissue_as_the_delegate_cancels_issues_no_letter(app, event, siriporn_id):
    organiser_id = make_organiser(event).id
    registration = db.session.get(Registration, siriporn_id)
    letter_id = visa_letters.give_details(registration, PASSPORT, actor=registration.user).id
    db.session.commit()

    def cancel() -> None:
        registration = db.session.get(Registration, siriporn_id)
        workflow.cancel_registration(registration, actor=registration.user)

    def reissue() -> int:
        approved_registration(siriporn_id)
        letter = db.session.get(VisaLetter, letter_id)
        organiser = db.session.get(User, organiser_id)
        return visa_letters.reissue_letter(letter, actor=organiser, reason="Lost in the post").id

    answer = first_commits_once_the_second_writes(app, cancel, reissue)

    assert isinstance(answer, LetterNotAvailable), answer
    assert valid_letters() == []


def test_details_sent_twice_at_once_answer_the_one_letter_the_first_issued(app, siriporn_id):
    first_letter: list[int] = []

    answer = first_commits_once_the_second_writes(
        app,
        lambda: first_letter.append(give_the_details(siriporn_id)),
        lambda: give_the_details(siriporn_id),
    )

    assert answer == first_letter[0]
    assert [letter.id for letter in valid_letters()] == first_letter
    assert db.session.scalar(sa.select(sa.func.count()).select_from(VisaLetter)) == 1
