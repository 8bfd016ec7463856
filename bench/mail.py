"""How many emails a second one mail worker sends to a local SMTP server.

Builds a throwaway SQLite database in a temporary folder (or uses BENCH_DATABASE_URL, an empty
PostgreSQL database of your own: its tables are dropped and made afresh), queues --emails
rendered emails in the outbox (text and HTML parts, a Message-ID each), starts an aiosmtpd
server on 127.0.0.1 (a process of its own) and runs the worker's one run (`worker.run_once`,
what `flask send-mail`
does) over SMTP until the outbox is empty. Commits wait for the disk as in production. Prints
the emails per second, and how the time splits between the SMTP conversation and the rest
(claims, one commit per email). Nothing leaves the machine.

    .venv/bin/python bench/mail.py [--emails 2000] [--batch-size 50]
    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/EMPTY_DB .venv/bin/python bench/mail.py
"""

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flask_migrate import upgrade  # noqa: E402

from conference import create_app  # noqa: E402
from conference.extensions import db  # noqa: E402
from conference.models import OutboxEmail  # noqa: E402
from conference.services.mail import outbox, worker  # noqa: E402
from conference.services.mail.rendering import render_email  # noqa: E402

BODY = """Dear {name},

Your registration for VGT 2014 in Amsterdam is approved. The conference opens on
5 November 2014 at 09:00; bring your badge and an identity document to the desk.

See you there,
The organisers"""


class TimedTransport(outbox.SMTPTransport):
    """The worker's SMTP transport, adding up the seconds spent talking to the server."""

    seconds = 0.0

    def send(self, message):
        started = time.perf_counter()
        try:
            super().send(message)
        finally:
            self.seconds += time.perf_counter() - started


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_smtp_server(port: int) -> subprocess.Popen:
    """aiosmtpd in a process of its own, as a real mail server would be, discarding what it gets."""
    server = subprocess.Popen(
        [sys.executable, "-m", "aiosmtpd", "-n", "-c", "aiosmtpd.handlers.Sink"]
        + ["-l", f"127.0.0.1:{port}"]
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return server
        except OSError:
            time.sleep(0.05)
    server.kill()
    raise SystemExit("the SMTP server did not start")


def queue(count: int) -> None:
    for number in range(count):
        rendered = render_email(
            f"Your registration VGT14-{number:06} is approved",
            BODY.format(name=f"Delegate {number}"),
            {},
        )
        outbox.queue(f"delegate{number:05}@police.example", rendered, kind="registration_approved")
        if number % 500 == 499:
            db.session.commit()
    db.session.commit()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--emails", type=int, default=2000)
    parser.add_argument("--batch-size", type=int, default=50)
    arguments = parser.parse_args()

    port = free_port()
    server = start_smtp_server(port)
    try:
        report, seconds, smtp_seconds, database = run(arguments, port)
    finally:
        server.terminate()
        server.wait(timeout=20)
    print(
        f"{database}: {report.sent} emails in {seconds:.2f} s = {report.sent / seconds:.0f}"
        f" emails/s (batches of {arguments.batch_size}); SMTP {smtp_seconds:.2f} s"
        f" ({smtp_seconds / seconds:.0%}), claims and commits {seconds - smtp_seconds:.2f} s"
    )


def run(arguments, port: int):
    with tempfile.TemporaryDirectory() as folder:
        url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{folder}/bench.sqlite3"
        if url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": url,
                "SECRET_KEY": "benchmark only",
                "MAIL_BACKEND": "smtp",
                "MAIL_SERVER": "127.0.0.1",
                "MAIL_PORT": port,
                "MAIL_BATCH_SIZE": arguments.batch_size,
            }
        )
        with app.app_context():
            if db.engine.dialect.name == "postgresql":
                with db.engine.begin() as connection:
                    connection.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
            upgrade()
            queue(arguments.emails)
            transport = TimedTransport(app.config)
            started = time.perf_counter()
            try:
                report = worker.run_once(transport)
            finally:
                transport.close()
            seconds = time.perf_counter() - started
            unsent = db.session.scalar(
                sa.select(sa.func.count()).where(OutboxEmail.sent_at.is_(None))
            )
            database = db.engine.dialect.name
            db.session.remove()
            db.engine.dispose()
    assert report.sent == arguments.emails and unsent == 0, report
    return report, seconds, transport.seconds, database


if __name__ == "__main__":
    main()
