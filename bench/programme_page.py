"""How many public programme pages per second gunicorn serves, against a minimal Flask app.

Run: .venv/bin/python bench/programme_page.py [--workers 2] [--threads 1] [--rounds 3]
                                             [--duration 8] [--connections 4] [--wrk-threads 1]
     .venv/bin/python bench/programme_page.py --load-generator-check

Needs gunicorn (`pip install -e ".[bench]"`) and wrk (`apt-get install wrk`). Builds a throwaway
SQLite database in a temporary folder (or uses BENCH_DATABASE_URL, an empty database of your
own: its tables are dropped and made afresh) with a published programme of 40 sessions and 60
speakers. Then it starts gunicorn twice with the same settings on 127.0.0.1, for our app and for
a minimal Flask app (one route returning a small HTML string, the floor), and loads them in
turn, round after round, with wrk: --connections connections from --wrk-threads threads for
--duration seconds each, after a warm-up that checks each page. Prints each app's median
requests per second, the latency percentiles of its median round, the CPU that wrk itself used,
and the ratio of the medians; the target is at least 1/3.

--load-generator-check loads only the minimal app, with more wrk threads and connections in
turn (--rounds rounds of 4 s each by default): if its rate does not rise, wrk was not what held
it back.

Bounded: the rounds may take at most --seconds in all (checked before starting), each wrk run is
stopped 30 s after its duration, and the servers are stopped at the end, also on failure.
"""

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import sqlalchemy as sa
from flask_migrate import upgrade

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import wrk  # noqa: E402
from conference import create_app  # noqa: E402
from conference.extensions import db  # noqa: E402
from conference.models import Event  # noqa: E402
from conference.services.people.team import create_team_member  # noqa: E402
from tests.factories import build_programme  # noqa: E402
from tests.programme_data import publish  # noqa: E402

SLUG = "bench-2014"
TARGET = 1 / 3
# wrk threads and connections for the check that wrk is not the bottleneck.
LOAD_GENERATOR_SETTINGS = [(1, 4), (1, 16), (2, 8), (2, 16)]
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
        organiser, _ = create_team_member(
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


def fetch(port: int, path: str) -> bytes:
    """The whole response, as wrk reads it: status line, headers and body."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as connection:
        connection.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
        chunks = []
        while chunk := connection.recv(65536):  # gunicorn's sync workers close after each
            chunks.append(chunk)
    response = b"".join(chunks)
    if not response.startswith(b"HTTP/1.1 200 "):
        raise RuntimeError(f"GET {path}: {response[:40]!r}")
    return response


class Server:
    """gunicorn on 127.0.0.1, started and stopped by this script alone."""

    def __init__(self, app_spec: str, path: str, marker: bytes, options, *, cwd: Path, env: dict):
        self.port = free_port()
        self.path, self.marker = path, marker
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
                # Its control socket is one path for all of the user's gunicorns: two benches
                # (or ours and a real server) would fight over it.
                "--no-control-socket",
                app_spec,
            ],
            cwd=cwd,
            env={**os.environ, **env},
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{self.path}"

    def warm_up(self) -> int:
        """Once every worker has imported, connected and rendered: the size of a response."""
        deadline = time.monotonic() + 30
        while True:
            try:
                fetch(self.port, self.path)
                break
            except (OSError, RuntimeError):
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise
                time.sleep(0.2)
        for _ in range(50):
            response = fetch(self.port, self.path)
            if self.marker not in response:
                raise RuntimeError(f"{self.url} does not show {self.marker!r}")
        return len(response)

    def cpu_seconds(self) -> float:
        """CPU time used so far by gunicorn and its workers (Linux's /proc), user and system."""
        pids = [self.process.pid]
        for task in Path(f"/proc/{self.process.pid}/task").iterdir():
            pids += [int(pid) for pid in (task / "children").read_text().split()]
        ticks = 0
        for pid in pids:
            # The fields after the command's name, which is in brackets and may hold spaces.
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
        return ticks / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@dataclass(frozen=True)
class Run:
    """One wrk run against one app: what wrk saw, and the server's CPU time per request."""

    report: wrk.Report
    server_cpu_ms: float


def measure(server: Server, size: int, *, seconds: int, threads: int, connections: int) -> Run:
    """One wrk run against `server`; refused if wrk read responses of another size than its page."""
    before = server.cpu_seconds()
    report = wrk.run(server.url, seconds=seconds, threads=threads, connections=connections)
    used = server.cpu_seconds() - before
    if abs(report.bytes_per_response - size) > 0.02 * size:
        raise RuntimeError(
            f"{server.url}: wrk read {report.bytes_per_response:.0f} bytes a response, "
            f"the page has {size}"
        )
    return Run(report, 1000 * used / report.requests)


def latency(report: wrk.Report) -> str:
    """The 50th, 90th and 99th percentiles in milliseconds, in columns."""
    return "".join(f"{report.latency_ms[p]:8.2f}" for p in (50, 90, 99))


LATENCY_HEADING = f"{'p50':>8}{'p90':>8}{'p99':>8} ms"


def compare(servers: dict[str, Server], options) -> None:
    """Both apps in turn, round after round, so that a busy moment of the machine hits both."""
    sizes = {label: server.warm_up() for label, server in servers.items()}
    print(
        f"gunicorn: {options.workers} workers x {options.threads} threads (the same for both); "
        f"wrk: {options.wrk_threads} thread(s), {options.connections} connections, "
        f"{options.rounds} rounds of {options.duration} s per app"
    )
    runs: dict[str, list[Run]] = {label: [] for label in servers}
    for _ in range(options.rounds):
        for label, server in servers.items():
            runs[label].append(
                measure(
                    server,
                    sizes[label],
                    seconds=options.duration,
                    threads=options.wrk_threads,
                    connections=options.connections,
                )
            )
    # The latencies are the median round's; wrk's CPU is the most it used in any round.
    print(
        f"{'':24}{'req/s':>7}  {'each round':<17}{LATENCY_HEADING}{'server CPU':>13}"
        f"{'response':>11}  wrk CPU"
    )
    rates, costs = [], []
    for label, measured in runs.items():
        by_rate = sorted(measured, key=lambda run: run.report.requests_per_second)
        middle = by_rate[len(by_rate) // 2].report
        rates.append(statistics.median(run.report.requests_per_second for run in measured))
        costs.append(statistics.median(run.server_cpu_ms for run in measured))
        each = " ".join(f"{run.report.requests_per_second:.0f}" for run in measured)
        wrk_cpu = max(run.report.cores_used for run in measured)
        print(
            f"{label:24}{rates[-1]:7.0f}  {each:<17}{latency(middle)}{costs[-1]:7.3f} ms/req"
            f"{sizes[label]:9} B  {wrk_cpu:.2f} core"
        )
    ratio = rates[0] / rates[1]
    verdict = "meets" if ratio >= TARGET else "is short of"
    print(f"ratio: {ratio:.2f} ({verdict} the target of {TARGET:.2f})")
    print(f"ratio of the servers' CPU time per request: {costs[1] / costs[0]:.2f}")


def check_load_generator(server: Server, options) -> None:
    """The floor under more wrk threads and connections: if its rate does not rise, it is the
    server's limit and not wrk's. The settings take turns, round after round, as in `compare`."""
    size = server.warm_up()
    print(
        f"minimal Flask app, gunicorn {options.workers} workers x {options.threads} threads; "
        f"{options.rounds} rounds of {options.duration} s per wrk setting"
    )
    runs: dict[tuple[int, int], list[Run]] = {setting: [] for setting in LOAD_GENERATOR_SETTINGS}
    for _ in range(options.rounds):
        for threads, connections in LOAD_GENERATOR_SETTINGS:
            runs[threads, connections].append(
                measure(
                    server, size, seconds=options.duration, threads=threads, connections=connections
                )
            )
    print(
        f"{'wrk threads':>11}{'connections':>13}{'req/s':>8}  {'each round':<17}"
        f"{LATENCY_HEADING}{'server CPU':>13}  wrk CPU"
    )
    for (threads, connections), measured in runs.items():
        by_rate = sorted(measured, key=lambda run: run.report.requests_per_second)
        middle = by_rate[len(by_rate) // 2]
        each = " ".join(f"{run.report.requests_per_second:.0f}" for run in measured)
        wrk_cpu = max(run.report.cores_used for run in measured)
        print(
            f"{threads:11}{connections:13}{middle.report.requests_per_second:8.0f}  {each:<17}"
            f"{latency(middle.report)}{middle.server_cpu_ms:7.3f} ms/req  {wrk_cpu:.2f} core"
        )


def programme_server(folder: str, options) -> Server:
    """Our app on a freshly seeded database, serving the programme page."""
    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{folder}/bench.sqlite3"
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    seed(url)
    env = {"DATABASE_URL": url, "SECRET_KEY": "benchmark only", "CONFERENCE_ENV": "development"}
    return Server(
        "conference:create_app()", f"/{SLUG}/programme", b"Session 39", options, cwd=ROOT, env=env
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2, help="gunicorn's, for both apps")
    parser.add_argument("--threads", type=int, default=1, help="gunicorn's, for both apps")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--duration", type=int, help="seconds of wrk per app and round (8; 4 for the check)"
    )
    parser.add_argument("--connections", type=int, default=4, help="wrk's")
    parser.add_argument("--wrk-threads", type=int, default=1)
    parser.add_argument("--seconds", type=int, default=60, help="budget for all the wrk runs")
    parser.add_argument("--load-generator-check", action="store_true")
    options = parser.parse_args()
    # `timeout` and `kill` send SIGTERM: stop the servers then too, as on any failure.
    signal.signal(signal.SIGTERM, lambda number, frame: sys.exit(128 + number))
    if options.load_generator_check:
        options.duration = options.duration or 4
        runs = len(LOAD_GENERATOR_SETTINGS) * options.rounds
    else:
        options.duration = options.duration or 8
        runs = 2 * options.rounds
    if runs * options.duration > options.seconds:
        parser.error(f"{runs} runs of {options.duration} s exceed --seconds {options.seconds}")
    try:
        wrk.require_wrk()
    except wrk.WrkError as error:
        sys.exit(str(error))
    print("load average before: " + " ".join(f"{load:.2f}" for load in os.getloadavg()))
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "minimal_app.py").write_text(MINIMAL_APP)
        servers: dict[str, Server] = {}
        try:
            if not options.load_generator_check:
                servers["programme page (40/60)"] = programme_server(folder, options)
            servers["minimal Flask app"] = Server(
                "minimal_app:app", "/", b"Hello, conference.", options, cwd=Path(folder), env={}
            )
            if options.load_generator_check:
                check_load_generator(servers["minimal Flask app"], options)
            else:
                compare(servers, options)
        finally:
            for server in servers.values():
                server.stop()
    print("load average after: " + " ".join(f"{load:.2f}" for load in os.getloadavg()))


if __name__ == "__main__":
    main()
