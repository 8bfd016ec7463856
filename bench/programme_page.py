"""How many public programme pages per second gunicorn serves, against a minimal Flask app.

Run: .venv/bin/python bench/programme_page.py [--workers 2] [--threads 1] [--clients 4]
                                             [--rounds 5] [--requests 1000] [--seconds 120]

Needs gunicorn (`pip install -e ".[bench]"`). Builds a throwaway SQLite database in a temporary
folder (or uses BENCH_DATABASE_URL, an empty database of your own: its tables are dropped and
made afresh) with a published programme of 40 sessions and 60 speakers. Then it starts gunicorn
twice with the same settings on 127.0.0.1, for our app and for a minimal Flask app (one route
returning a small HTML string), and loads them in turn, round after round: --clients threads
send --requests requests in all over http.client, one connection per request, after a warm-up.
Prints each app's median requests per second and their ratio; the target is at least 1/3.
Bounded: --rounds rounds of --requests requests, and --seconds for all of them; the servers are
stopped at the end, also on failure.
"""

import argparse
import http.client
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

import sqlalchemy as sa
from flask_migrate import upgrade

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from conference import create_app  # noqa: E402
from conference.extensions import db  # noqa: E402
from conference.models import Event  # noqa: E402
from conference.services.people.team import create_organiser  # noqa: E402
from tests.factories import build_programme  # noqa: E402
from tests.programme_data import publish  # noqa: E402

SLUG = "bench-2014"
MINIMAL_APP = """
from flask import Flask

app = Flask(__name__)


@app.route("/")
def index():
    return "<!doctype html><title>Hello</title><p>Hello, conference.</p>"
"""


def seed(url: str) -> None:
    """An event with a published programme of 40 sessions and 60 speakers."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "benchmark only"})
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as connection:
                connection.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        upgrade()
        event = Event(
            slug=SLUG,
            name="Virtual Global Taskforce International Conference 2014",
            short_name="VGT 2014",
            reference_prefix="VGT14",
            starts_on=date(2014, 11, 5),
            ends_on=date(2014, 11, 6),
            venue="Conference centre, Amsterdam",
            city="Amsterdam",
            capacity=150,
        )
        db.session.add(event)
        db.session.flush()
        organiser, _ = create_organiser(
            event, "bench.organiser@politie.example", "a long benchmark password", name="Bench"
        )
        build_programme(event, sessions=40, speakers=60)
        db.session.commit()
        publish(event, organiser)
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect() as connection:
                connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
                    "ANALYZE"
                )
        sessions = db.session.scalar(sa.text("SELECT count(*) FROM programme_session"))
        print(f"database: {db.engine.dialect.name}, {sessions} sessions published")
        db.engine.dispose()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(port: int, path: str) -> bytes:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers={"Connection": "close"})
        response = connection.getresponse()
        body = response.read()
        if response.status != 200:
            raise RuntimeError(f"GET {path}: {response.status}")
        return body
    finally:
        connection.close()


class Server:
    """gunicorn on 127.0.0.1, started and stopped by this script alone."""

    def __init__(self, app_spec: str, options, *, cwd: Path, env: dict):
        self.port = free_port()
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(options.workers),
                "--threads",
                str(options.threads),
                "--log-level",
                "warning",
                app_spec,
            ],
            cwd=cwd,
            env={**os.environ, **env},
        )

    def wait_until_up(self, path: str) -> None:
        deadline = time.monotonic() + 30
        while True:
            try:
                get(self.port, path)
                return
            except (OSError, RuntimeError):
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise
                time.sleep(0.2)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def warm_up(port: int, path: str, marker: bytes) -> None:
    for _ in range(50):  # every worker has imported, connected and rendered at least once
        assert marker in get(port, path)


def load(port: int, path: str, marker: bytes, requests: int, clients: int, deadline: float):
    """Requests per second of `clients` threads sending `requests` requests in all."""
    remaining = requests
    lock = threading.Lock()
    done: list[int] = []
    failures: list[BaseException] = []

    def client():
        nonlocal remaining
        count = 0
        while time.monotonic() < deadline:
            with lock:
                if remaining == 0:
                    break
                remaining -= 1
            try:
                body = get(port, path)
            except Exception as error:  # noqa: BLE001 (reported below)
                failures.append(error)
                break
            if marker not in body:
                failures.append(RuntimeError("unexpected page"))
                break
            count += 1
        done.append(count)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if failures:
        raise RuntimeError(f"{len(failures)} requests failed, the first: {failures[0]!r}")
    return sum(done) / elapsed


def run(targets: dict, options) -> None:
    """Both apps in turn, round after round, so that a busy moment of the machine hits both."""
    for server, path, marker in targets.values():
        server.wait_until_up(path)
        warm_up(server.port, path, marker)
    print(
        f"gunicorn: {options.workers} workers x {options.threads} threads (the same for both); "
        f"{options.clients} clients; {options.rounds} rounds of {options.requests} requests"
    )
    deadline = time.monotonic() + options.seconds
    rates: dict[str, list[float]] = {label: [] for label in targets}
    for _ in range(options.rounds):
        for label, (server, path, marker) in targets.items():
            rates[label].append(
                load(server.port, path, marker, options.requests, options.clients, deadline)
            )
    print(f"{'app':26} {'median req/s':>13}   each round")
    for label, measured in rates.items():
        each = " ".join(f"{rate:.0f}" for rate in measured)
        print(f"{label:26} {statistics.median(measured):13.1f}   {each}")
    ours, minimal = (statistics.median(measured) for measured in rates.values())
    ratio = ours / minimal
    verdict = "meets" if ratio >= 1 / 3 else "is short of"
    print(f"ratio: {ratio:.2f} ({verdict} the target of 0.33)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--requests", type=int, default=1000, help="per app and round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=120, help="budget for all rounds")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{folder}/bench.sqlite3"
        if url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
        seed(url)
        (Path(folder) / "minimal_app.py").write_text(MINIMAL_APP)
        env = {"DATABASE_URL": url, "SECRET_KEY": "benchmark only", "CONFERENCE_ENV": "development"}
        targets = {}
        try:
            targets["programme page (40/60)"] = (
                Server("conference:create_app()", options, cwd=ROOT, env=env),
                f"/{SLUG}/programme",
                b"Session 39",
            )
            targets["minimal Flask app"] = (
                Server("minimal_app:app", options, cwd=Path(folder), env={}),
                "/",
                b"Hello, conference.",
            )
            run(targets, options)
        finally:
            for server, _, _ in targets.values():
                server.stop()


if __name__ == "__main__":
    main()
