"""Badges for the whole conference: 150 approved delegates, as A6 pages and as A4 sheets of four
(target: each under 10 seconds).

Seeds a throwaway SQLite file with 150 approved registrations (Latin, long Spanish, Arabic and
Thai names among them), then downloads every badge from the On site page through the app's test
client: first as A6 (which issues the 150 badges), then as A4 sheets, then each once more
(badges issued already). Prints the seconds and the size of each file. Nothing leaves the
machine.

    .venv/bin/python bench/badges.py [--registrations 150] [--rounds 3]
"""

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from conference import create_app  # noqa: E402
from conference.extensions import db  # noqa: E402
from conference.models import Event, Registration, TeamMember, User  # noqa: E402

NAMES = [
    "Anna de Vries",
    "María del Carmen Fernández-Castañeda y Rodríguez de la Serna",
    "عبد الرحمن بن عبد العزيز الهاشمي",
    "สมชาย ศรีสวัสดิ์วงศ์",
    "Jean-Baptiste Lefèvre",
    "Olumide Adeyemi",
]
COUNTRIES = ["NL", "ES", "AE", "TH", "FR", "NG", "US", "GB", "DE", "BE"]


def settings(path: str) -> dict:
    return {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
        "SECRET_KEY": "benchmark",
        "WTF_CSRF_ENABLED": False,
        "MAIL_BACKEND": "console",
        "RATELIMIT_ENABLED": False,
    }


def seed(count: int) -> int:
    """The event, its organiser and `count` approved registrations; the organiser's id."""
    from flask_migrate import upgrade

    upgrade()
    now = datetime(2014, 10, 1, tzinfo=UTC)
    event = Event(
        slug="vgt-2014",
        name="Virtual Global Taskforce International Conference 2014",
        short_name="VGT 2014",
        reference_prefix="VGT14",
        starts_on=date(2014, 11, 5),
        ends_on=date(2014, 11, 6),
        capacity=count,
    )
    organiser = User(email="organiser@politie.example", name="Olga", password_hash="!")
    organiser.totp_secret = "JBSWY3DPEHPK3PXP"
    organiser.totp_enabled_at = now
    db.session.add_all([event, organiser])
    db.session.flush()
    db.session.add(TeamMember(event_id=event.id, user_id=organiser.id, role="organiser"))
    db.session.execute(
        sa.insert(User),
        [
            {
                "id": 10 + n,
                "email": f"delegate{n:03d}@police.example",
                "name": f"{NAMES[n % len(NAMES)]} {n:03d}",
                "password_hash": "!",
                "session_token": f"t{n}",
                "locale": "en",
                "created_at": now,
            }
            for n in range(count)
        ],
    )
    db.session.execute(
        sa.insert(Registration),
        [
            {
                "event_id": event.id,
                "user_id": 10 + n,
                "reference": f"VGT14-{n:06d}",
                "status": "approved",
                "organisation_other": f"National police force {n % 18}",
                "country": COUNTRIES[n % len(COUNTRIES)],
                "job_title": "Detective Inspector",
                "dietary_needs": "",
                "accessibility_needs": "",
                "invitation_letter_needed": False,
                "created_at": now + timedelta(seconds=n),
                "updated_at": now,
            }
            for n in range(count)
        ],
    )
    db.session.commit()
    return organiser.id


def download(client, layout: str) -> tuple[float, int]:
    started = time.perf_counter()
    response = client.post("/vgt-2014/organiser/badges.pdf", data={"layout": layout})
    assert response.status_code == 200, response.status_code
    return time.perf_counter() - started, len(response.data)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--registrations", type=int, default=150)
    parser.add_argument("--rounds", type=int, default=3, help="downloads of each, after the first")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="badge-bench-") as folder:
        app = create_app(settings(str(Path(folder) / "bench.sqlite3")))
        with app.app_context():
            session_id = db.session.get(User, seed(args.registrations)).get_id()
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = session_id
            session["_fresh"] = True

        seconds, size = download(client, "a6")
        print(
            f"A6, first download (issues {args.registrations} badges): {seconds:.2f} s, "
            f"{size / 1e6:.2f} MB (target: under 10 s)"
        )
        for layout in ["a6", "a4"]:
            runs = [download(client, layout) for _ in range(args.rounds)]
            times = [s for s, _ in runs]
            print(
                f"{layout.upper()}, {args.registrations} badges issued already: median "
                f"{statistics.median(times):.2f} s, slowest {max(times):.2f} s, "
                f"{runs[0][1] / 1e6:.2f} MB (target: under 10 s)"
            )


if __name__ == "__main__":
    main()
