"""How fast the organisers' registration list answers with 10,000 registrations.

Run: .venv/bin/python bench/registration_list.py [--registrations 10000] [--requests 40]

Builds a throwaway SQLite database in a temporary folder (or uses BENCH_DATABASE_URL, an empty
database of your own: its tables are dropped and made afresh), fills it with registrations
straight through SQL, serves the app on 127.0.0.1 with Werkzeug, logs an organiser in through
the real forms (two-factor code included) and times the list page over HTTP. Prints the median
and 90th percentile per page; the target is a median under 150 ms for the first page.
Bounded: at most --requests timed requests per page, and a 120-second budget overall.
"""

import argparse
import http.cookiejar
import os
import re
import statistics
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyotp
import sqlalchemy as sa
from flask_migrate import upgrade
from werkzeug.serving import make_server

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from conference import create_app  # noqa: E402
from conference.demo import seed_demo  # noqa: E402
from conference.extensions import db  # noqa: E402
from conference.models import Registration, Tag, User  # noqa: E402
from conference.models.registration import registration_tag  # noqa: E402
from conference.services.people.team import create_team_member  # noqa: E402

EMAIL, PASSWORD = "bench.organiser@politie.example", "a long benchmark password"
SECRET = pyotp.random_base32()
BUDGET_SECONDS = 120
COUNTRIES = ["NL", "BE", "DE", "US", "GB", "FR", "PH", "TH", "BR", "AU", "CA", "SE"]


def fill(count: int) -> str:
    """The demo event with `count` registrations, a third of them tagged: its slug, the tag id."""
    event = seed_demo().event
    organiser, _ = create_team_member(event, EMAIL, PASSWORD, name="Bench Organiser")
    organiser.totp_secret, organiser.totp_enabled_at = SECRET, datetime.now(UTC)
    speaker = Tag(event_id=event.id, name="Speaker", colour="teal")
    db.session.add(speaker)
    db.session.flush()
    organisations = [link.organisation_id for link in event.organisations]
    now = datetime.now(UTC)
    for start in range(0, count, 2000):
        numbers = range(start, min(start + 2000, count))
        user_ids = db.session.scalars(
            sa.insert(User).returning(User.id, sort_by_parameter_order=True),
            [
                {
                    "email": f"bench{n:06d}@police.example",
                    "name": f"Delegate {n:06d}",
                    "password_hash": "unusable",
                    "created_at": now,
                }
                for n in numbers
            ],
        ).all()
        registration_ids = db.session.scalars(
            sa.insert(Registration).returning(Registration.id, sort_by_parameter_order=True),
            [
                {
                    "event_id": event.id,
                    "user_id": user_id,
                    "reference": f"VGT14-B{n:06d}",
                    "status": ["pending", "waitlisted", "rejected"][n % 3],
                    "organisation_id": organisations[n % len(organisations)] if n % 4 else None,
                    "organisation_other": None if n % 4 else "Regional Cybercrime Unit",
                    "country": COUNTRIES[n % len(COUNTRIES)],
                    "job_title": "Detective",
                    "dietary_needs": "Vegetarian" if n % 5 == 0 else "",
                    "invitation_letter_needed": n % 7 == 0,
                    "created_at": now - timedelta(minutes=n),
                }
                for n, user_id in zip(numbers, user_ids, strict=True)
            ],
        ).all()
        db.session.execute(
            sa.insert(registration_tag),
            [{"registration_id": r, "tag_id": speaker.id} for r in registration_ids[::3]],
        )
    db.session.commit()
    if db.engine.dialect.name == "postgresql":  # as autovacuum would, before the first visitor
        with db.engine.connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")
    return event.slug, speaker.id


class Browser:
    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=30) as response:
            return response.read().decode()

    def post(self, path: str, fields: dict) -> str:
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', self.get(path))
        data = urllib.parse.urlencode({**fields, "csrf_token": token.group(1)}).encode()
        with self.opener.open(self.base + path, data=data, timeout=30) as response:
            return response.read().decode()


def timed(browser: Browser, path: str, requests: int, deadline: float) -> list[float]:
    for _ in range(3):  # warm-up
        browser.get(path)
    times = []
    for _ in range(requests):
        if time.monotonic() > deadline:
            break
        started = time.perf_counter()
        page = browser.get(path)
        times.append((time.perf_counter() - started) * 1000)
    assert "Registrations" in page
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--registrations", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=40)
    options = parser.parse_args()
    deadline = time.monotonic() + BUDGET_SECONDS
    with tempfile.TemporaryDirectory() as folder:
        url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{folder}/bench.sqlite3"
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": url,
                "SECRET_KEY": "benchmark only",
                "MAIL_BACKEND": "console",
                "LOGIN_RATE_LIMIT": "1000 per minute",
            }
        )
        with app.app_context():
            if db.engine.dialect.name == "postgresql":
                with db.engine.begin() as connection:
                    connection.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
            upgrade()
            started = time.perf_counter()
            slug, tag_id = fill(options.registrations)
            print(
                f"database: {db.engine.dialect.name}, {options.registrations} registrations "
                f"made in {time.perf_counter() - started:.1f} s"
            )
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            browser = Browser(f"http://127.0.0.1:{server.server_port}")
            browser.post("/account/login", {"email": EMAIL, "password": PASSWORD})
            browser.post("/account/login/code", {"code": pyotp.TOTP(SECRET).now()})
            pages = {
                "first page (newest first)": f"/{slug}/organiser/registrations",
                "sorted by name, page 100": f"/{slug}/organiser/registrations?sort=name&page=100",
                "filtered: tag + country": (
                    f"/{slug}/organiser/registrations?tag={tag_id}&country=BE"
                ),
                "search 'delegate 00123'": f"/{slug}/organiser/registrations?q=delegate+00123",
            }
            print(f"{'page':32} {'median ms':>10} {'p90 ms':>8} {'requests':>9}")
            for label, path in pages.items():
                times = timed(browser, path, options.requests, deadline)
                p90 = statistics.quantiles(times, n=10)[-1] if len(times) > 1 else times[0]
                print(f"{label:32} {statistics.median(times):10.1f} {p90:8.1f} {len(times):9d}")
        finally:
            server.shutdown()
            thread.join(timeout=10)
            with app.app_context():
                db.engine.dispose()


if __name__ == "__main__":
    main()
