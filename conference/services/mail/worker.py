"""The mail worker: what `flask send-mail` does on each run, and who may run it.

Rules it keeps:
- An email is claimed, and the claim committed, before it is sent; each outcome is committed on
  its own. A worker killed mid-batch leaves claims that lapse after MAIL_CLAIM_TIMEOUT.
- A worker honours its own claims for half of MAIL_CLAIM_TIMEOUT only: past that it gives back
  what it has not sent and claims afresh, so no other worker can take over an email it is still
  about to send.
- A failure that is not about one email (the server is down) ends the run and gives back the
  unsent claims at once.
- On PostgreSQL any number of workers share the outbox. SQLite has one worker at a time
  (`one_worker_on_sqlite`).
"""

import fcntl
import os
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from time import monotonic

import sqlalchemy as sa
from flask import current_app

from conference.extensions import db
from conference.models import OutboxEmail
from conference.services.mail import outbox, reminders


@dataclass
class RunReport:
    """What one run did, in counts: never an address or a subject."""

    reminders: int = 0  # reminders whose time had come, each now queued to its group
    sent: int = 0
    will_retry: int = 0
    gave_up: int = 0
    # Claims given back unsent, because the server went away or the worker was asked to stop.
    given_back: int = 0
    # Why the run stopped early: the kind of failure (`outbox.Failure.kind`), if any.
    stopped_by: str | None = None

    @property
    def failed(self) -> int:
        return self.will_retry + self.gave_up

    def summary(self) -> str:
        line = f"Sent {self.sent} email(s), {self.will_retry} will retry, {self.gave_up} gave up."
        if self.reminders:
            line = f"{self.reminders} reminder(s) due, queued to their groups. " + line
        if self.stopped_by:
            line += (
                f" The mail server could not take them ({self.stopped_by}):"
                f" {self.given_back} more wait for the next run."
            )
        return line


def worker_name() -> str:
    """Who holds a claim: this host and process."""
    return f"{socket.gethostname()}:{os.getpid()}"[:120]


def run_once(
    transport,
    now: datetime | None = None,
    *,
    stopping: threading.Event | None = None,
) -> RunReport:
    """One run of the mail worker: send every email that is due, batch after batch, once each.

    `now` stands for the clock (tests move it past a back-off or a lapsed claim); by default each
    step reads the real time. `stopping`, once set, ends the run after the email being sent.
    """
    config = current_app.config
    # First what queues emails (the reminders whose time has come, also long ago if the worker
    # was down), so that they go out in this same run.
    report = RunReport(reminders=reminders.send_due_reminders(now))
    worker = worker_name()
    claim_timeout = timedelta(seconds=config["MAIL_CLAIM_TIMEOUT"])
    while not (stopping and stopping.is_set()):
        claimed = outbox.claim_due(worker, config["MAIL_BATCH_SIZE"], claim_timeout, now)
        batch = outbox.outgoing(claimed, config["MAIL_DEFAULT_SENDER"])
        db.session.commit()
        if not batch:
            break
        if not send_batch(batch, transport, report, worker, now, stopping):
            break
    return report


def send_batch(
    batch: list[outbox.Outgoing],
    transport,
    report: RunReport,
    worker: str,
    now: datetime | None,
    stopping: threading.Event | None,
) -> bool:
    """Send a claimed batch, committing each outcome. False when the run should end."""
    config = current_app.config
    honoured_until = monotonic() + config["MAIL_CLAIM_TIMEOUT"] / 2

    def give_back(rest: list[outbox.Outgoing]) -> None:
        report.given_back += outbox.release([email.email_id for email in rest], worker)
        db.session.commit()

    for position, email in enumerate(batch):
        stop = stopping is not None and stopping.is_set()
        # The first email goes whatever the clock says, so that every batch gets somewhere.
        if stop or (position and monotonic() > honoured_until):
            give_back(batch[position:])
            return not stop  # claim afresh, unless asked to stop
        failure = outbox.attempt(email, transport)
        if failure is None:
            outbox.mark_sent(email.email_id, now)
            report.sent += 1
        else:
            row = db.session.get(OutboxEmail, email.email_id)
            outbox.mark_failed(row, failure, config["MAIL_MAX_ATTEMPTS"], now)
            if row.gave_up_at is not None:
                report.gave_up += 1
            else:
                report.will_retry += 1
        db.session.commit()
        if failure is not None and not failure.about_this_email:
            report.stopped_by = failure.kind
            give_back(batch[position + 1 :])
            return False
    return True


# --- SQLite: one worker at a time -------------------------------------------------------------


class AnotherWorkerIsRunning(Exception):
    """A second worker on the same SQLite database, asked not to wait."""


def sqlite_lock_file(url: sa.engine.URL) -> Path | None:
    """The file beside an SQLite database that its one worker holds locked; None for a database
    that several workers may share (PostgreSQL) or that no other process can open (in memory)."""
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return Path(url.database).with_name(Path(url.database).name + ".send-mail.lock")


@contextmanager
def one_worker_on_sqlite(
    url: sa.engine.URL, *, wait: bool, say: Callable[[str], None]
) -> Iterator[None]:
    """Hold the SQLite database's worker lock while the block runs.

    SQLite has no row locks for workers to share the outbox by: a second worker waits for the
    first to stop (`wait`), or is refused. The lock is an exclusive `flock`, which the system
    lets go of when its process ends, however it ends.
    """
    path = sqlite_lock_file(url)
    if path is None:
        yield
        return
    with path.open("a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if not wait:
                raise AnotherWorkerIsRunning(
                    "Another send-mail worker is running on this SQLite database"
                    f" ({path} is locked); on SQLite one worker sends at a time. Not started."
                ) from None
            say(
                "Another send-mail worker is running on this SQLite database"
                f" ({path} is locked); waiting for it to stop."
            )
            fcntl.flock(lock, fcntl.LOCK_EX)
            say("The other worker has stopped; this one sends now.")
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
