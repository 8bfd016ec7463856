"""The benches' load generator: wrk's report read right, its failures refused, its absence told."""

import importlib.util
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.serving import make_server

from bench import wrk

ROOT = Path(__file__).resolve().parents[2]
needs_wrk = pytest.mark.skipif(shutil.which("wrk") is None, reason=wrk.INSTALL_HINT)

# What `wrk -t1 -c4 -d5s --latency` printed against the minimal Flask app under gunicorn.
REPORT = """\
Running 5s test @ http://127.0.0.1:18731/
  1 threads and 4 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     1.06ms    1.10ms  30.43ms   98.12%
    Req/Sec     3.84k   239.61     4.13k    82.35%
  Latency Distribution
     50%  910.00us
     75%    1.01ms
     90%    1.21ms
     99%    3.62ms
  19499 requests in 5.10s, 3.96MB read
Requests/sec:   3823.47
Transfer/sec:    795.31KB
"""


def test_a_report_gives_the_rate_the_totals_and_the_latency_percentiles():
    report = wrk.parse(REPORT)

    assert report.requests_per_second == 3823.47
    assert (report.requests, report.seconds) == (19499, 5.1)
    assert report.bytes_read == round(3.96 * 1024 * 1024)
    assert report.latency_ms == pytest.approx({50: 0.91, 75: 1.01, 90: 1.21, 99: 3.62})
    assert (report.socket_errors, report.failed_responses) == (0, 0)


def test_a_report_counts_failed_responses_and_dropped_connections():
    failing = REPORT.replace(
        "Requests/sec:",
        "  Socket errors: connect 0, read 3, write 0, timeout 2\n"
        "  Non-2xx or 3xx responses: 1340\nRequests/sec:",
    )

    report = wrk.parse(failing)

    assert (report.socket_errors, report.failed_responses) == (5, 1340)


def test_a_report_without_the_latency_distribution_is_refused():
    without = REPORT.split("  Latency Distribution")[0] + REPORT.split("99%    3.62ms\n")[1]

    with pytest.raises(wrk.WrkError, match="--latency"):
        wrk.parse(without)


def test_without_wrk_the_bench_says_how_to_install_it(tmp_path):
    finished = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "programme_page.py")],
        env={**os.environ, "PATH": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert finished.returncode == 1
    assert "apt-get install wrk" in finished.stderr
    assert "database:" not in finished.stdout  # it stopped before seeding anything


def test_only_this_machine_is_loaded():
    with pytest.raises(wrk.WrkError, match="127.0.0.1 only"):
        wrk.run("http://example.org/", seconds=1)


@pytest.fixture
def served():
    """A tiny app on 127.0.0.1: a page, and a page that fails."""
    app = Flask(__name__)
    app.add_url_rule("/", "page", lambda: "<p>A page of the conference.</p>")
    app.add_url_rule("/broken", "broken", lambda: ("Not here.", 500))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


@needs_wrk
def test_wrk_measures_a_page_on_this_machine(served):
    report = wrk.run(served + "/", seconds=1, connections=2)

    assert report.requests > 10
    assert report.requests_per_second > 10
    assert 0 < report.latency_ms[50] <= report.latency_ms[90] <= report.latency_ms[99]
    # Werkzeug's response: a status line, five headers, and the 32 bytes of the page.
    assert 100 < report.bytes_per_response < 300
    assert 0 < report.cores_used < 1.5


@needs_wrk
def test_a_page_that_fails_under_wrk_is_no_figure(served):
    with pytest.raises(wrk.WrkError, match="were not 2xx or 3xx"):
        wrk.run(served + "/broken", seconds=1, connections=2)


@needs_wrk
@pytest.mark.skipif(importlib.util.find_spec("gunicorn") is None, reason="needs gunicorn")
def test_the_programme_bench_prints_both_apps_and_their_ratio():
    finished = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "programme_page.py"),
            "--rounds=1",
            "--duration=1",
            "--workers=1",
        ],
        env={key: value for key, value in os.environ.items() if key != "BENCH_DATABASE_URL"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert finished.returncode == 0, finished.stderr
    lines = finished.stdout.splitlines()
    assert "database: sqlite, 40 sessions published" in lines
    rows = {line[:24].strip(): line[24:].split() for line in lines}
    assert float(rows["programme page (40/60)"][0]) > 0  # requests per second
    assert float(rows["minimal Flask app"][0]) > 0
    ratio = next(line for line in lines if line.startswith("ratio: "))
    assert 0 < float(ratio.split()[1]) < 1
