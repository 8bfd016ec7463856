"""The mail queue sends each email exactly once, with real `flask send-mail` processes.

Two workers share 500 emails on PostgreSQL; the control runs the same two workers with a claim
that takes no row locks (and a pause that widens the race window) and finds emails sent twice,
so the first test would catch a claim that does not hold. A worker killed mid-batch leaves
nothing lost: its claims lapse, another worker sends the rest, and an email delivered twice
carries the same Message-ID both times.
"""

import asyncio
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from email import message_from_string, policy
from pathlib import Path

import pytest
import sqlalchemy as sa

from conference.extensions import db
from conference.models import DeliveryState, OutboxEmail, utcnow
from conference.services.mail import outbox
from conference.services.mail.rendering import render_email
from tests.environment import on_postgres
from tests.mail_server import MailHandler, free_port
from tests.services.test_outbox import mail_settings, message_ids, send_due, smtp_server_on

ROOT = Path(__file__).resolve().parents[2]
FLASK = Path(sys.executable).with_name("flask")
DEADLINE = 60  # seconds, for any one worker process
only_on_postgres = pytest.mark.skipif(
    not on_postgres(), reason="several workers share an outbox on PostgreSQL only"
)


@dataclass
class SlowHandler(MailHandler):
    """A mail server that takes `delay` seconds over each email, and holds the first ones until
    `connections` workers have connected (or a few seconds have passed), so that the workers
    under test really send at the same time."""

    delay: float = 0.0
    connections: int = 1
    peers: set = field(default_factory=set)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.peers.add(session.peer)
        waiting_until = time.monotonic() + 10
        while len(self.peers) < self.connections and time.monotonic() < waiting_until:
            await asyncio.sleep(0.01)
        await asyncio.sleep(self.delay)
        return await super().handle_DATA(server, session, envelope)


def queue_emails(count: int) -> list[OutboxEmail]:
    rendered = render_email("Your place at VGT 2014", "Dear delegate,\n\nSee you in Amsterdam.", {})
    rows = [
        outbox.queue(f"delegate{number:03}@police.example", rendered, kind="message")
        for number in range(count)
    ]
    db.session.commit()
    return rows


def without_waiting_for_the_disk(database_url: str) -> str:
    """The worker's commits do not wait for the disk, as the tests' own do (a test database need
    not survive a power cut); on PostgreSQL through the connection's options."""
    if not database_url.startswith("postgresql"):
        return database_url
    separator = "&" if "?" in database_url else "?"
    return f"{database_url}{separator}options=-csynchronous_commit%3Doff"


@dataclass
class Worker:
    """`flask --app APP send-mail` in a process of its own, on the tests' database."""

    process: subprocess.Popen

    @classmethod
    def start(
        cls,
        database_url: str,
        mail_port: int,
        app: str = "conference",
        options: tuple[str, ...] = (),
        **settings,
    ):
        environment = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "CONFERENCE_ENV": "development",
            "SECRET_KEY": "a worker's key, for tests",
            "DATABASE_URL": without_waiting_for_the_disk(database_url),
            "MAIL_BACKEND": "smtp",
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": str(mail_port),
            "MAIL_TIMEOUT": "5",
            **{name: str(value) for name, value in settings.items()},
        }
        process = subprocess.Popen(
            [str(FLASK), "--app", app, "send-mail", *options],
            cwd=ROOT,
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        return cls(process)

    @property
    def name(self) -> str:
        return f"{socket.gethostname()}:{self.process.pid}"

    def finish(self) -> tuple[int, str]:
        """Its exit code and what it printed; it must end within the deadline."""
        stdout, stderr = self.process.communicate(timeout=DEADLINE)
        return self.process.returncode, stdout + stderr

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.communicate(timeout=DEADLINE)


def sent_count(output: str) -> int:
    return int(re.search(r"Sent (\d+) email\(s\)", output).group(1))


def two_workers_send(database_url: str, count: int, app: str) -> tuple[list, Counter, list]:
    """`count` emails queued, two workers started at once; what each printed, the Message-IDs
    the mail server received, and the rows afterwards."""
    queued = queue_emails(count)
    handler = SlowHandler(delay=0.002, connections=2)
    port = free_port()
    with smtp_server_on(port, handler):
        workers = [Worker.start(database_url, port, app, MAIL_BATCH_SIZE=20) for _ in range(2)]
        results = [worker.finish() for worker in workers]
    db.session.expire_all()
    rows = db.session.scalars(sa.select(OutboxEmail).order_by(OutboxEmail.id)).all()
    assert [row.message_id_header for row in rows] == [row.message_id_header for row in queued]
    return (
        [(worker, *result) for worker, result in zip(workers, results, strict=True)],
        (message_ids(handler)),
        rows,
    )


@pytest.mark.postgres
@only_on_postgres
def test_two_workers_on_postgresql_send_500_emails_each_exactly_once(app, test_database_url):
    workers, received, rows = two_workers_send(test_database_url, 500, app="conference")

    for _, exit_code, output in workers:
        assert exit_code == 0, output
    assert all(sent_count(output) > 0 for *_, output in workers), "both workers sent"
    assert sum(sent_count(output) for *_, output in workers) == 500
    assert received == Counter({row.message_id_header: 1 for row in rows}), "none twice, none lost"
    assert all(row.state == DeliveryState.SENT and row.attempts == 1 for row in rows)
    assert {row.claimed_by for row in rows} == {worker.name for worker, *_ in workers}


@pytest.mark.postgres
@only_on_postgres
def test_without_the_claims_row_locks_two_workers_send_emails_twice(app, test_database_url):
    # Fewer emails than above: the race shows at once, and each email goes out twice.
    workers, received, rows = two_workers_send(
        test_database_url, 100, app="tests.concurrency.mail_worker_app:claiming_without_locks()"
    )

    for _, exit_code, output in workers:
        assert exit_code == 0, output
    assert set(received) == {row.message_id_header for row in rows}
    assert received.most_common(1)[0][1] == 2, "some emails went out twice"
    assert sum(sent_count(output) for *_, output in workers) > 100


def test_a_worker_killed_mid_batch_loses_nothing_and_a_second_delivery_keeps_its_message_id(
    app, test_database_url
):
    queued = queue_emails(40)
    handler = SlowHandler(delay=0.05)
    port = free_port()
    app.config.update(mail_settings(port))  # for the second worker, in this process
    with smtp_server_on(port, handler):
        first = Worker.start(test_database_url, port, MAIL_BATCH_SIZE=15)
        deadline = time.monotonic() + DEADLINE
        while len(handler.received) < 5 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert len(handler.received) >= 5, first.finish()
        first.kill()

        db.session.expire_all()
        left_claimed = db.session.scalars(
            sa.select(OutboxEmail.id).where(
                OutboxEmail.claimed_by == first.name, OutboxEmail.sent_at.is_(None)
            )
        ).all()
        assert left_claimed, "killed with claimed emails not yet sent"

        # Another worker, at once: it sends what nobody claimed, and leaves the dead worker's
        # claims alone until they lapse.
        send_due(app)
        db.session.expire_all()
        assert all(db.session.get(OutboxEmail, id).sent_at is None for id in left_claimed)
        claim_timeout = timedelta(seconds=app.config["MAIL_CLAIM_TIMEOUT"])
        send_due(app, utcnow() + claim_timeout + timedelta(seconds=1))

    db.session.expire_all()
    rows = db.session.scalars(sa.select(OutboxEmail).order_by(OutboxEmail.id)).all()
    assert all(row.state == DeliveryState.SENT for row in rows)
    assert set(message_ids(handler)) == {row.message_id_header for row in queued}, "none lost"
    ids_per_recipient: dict[str, set[str]] = {}
    for mail in handler.received:
        message = message_from_string(mail.data, policy=policy.default)
        ids_per_recipient.setdefault(mail.recipients[0], set()).add(message["Message-ID"])
    assert ids_per_recipient == {row.recipient: {row.message_id_header} for row in rows}


@pytest.mark.postgres
@only_on_postgres
def test_on_postgresql_a_claim_skips_the_emails_another_worker_is_claiming(app):
    queued = queue_emails(10)
    timeout = timedelta(seconds=app.config["MAIL_CLAIM_TIMEOUT"])
    with db.engine.connect() as other_worker, other_worker.begin():
        # The other worker is between reading its batch and committing its claim.
        other_worker.execute(
            sa.select(OutboxEmail.id)
            .order_by(OutboxEmail.id)
            .limit(4)
            .with_for_update(skip_locked=True)
        ).all()
        db.session.execute(sa.text("SET LOCAL lock_timeout = '2s'"))  # a wait would fail
        started = time.monotonic()
        claimed = outbox.claim_due("this:1", 10, timeout)
        db.session.commit()
        waited = time.monotonic() - started

    assert [email.id for email in claimed] == [email.id for email in queued[4:]]
    assert waited < 1, "it did not wait for the other worker"
