"""Peak memory of the participant export with 100,000 registrations (target: under 200 MB).

Seeds a fresh SQLite file in a child process (bulk Core inserts), then exports the full list with
every column as CSV and as XLSX through the app's test client, reading each streamed response to
its end, and prints the time and the process's peak memory. Nothing leaves 127.0.0.1: there is
no network at all.

    .venv/bin/python bench/export_memory.py [--registrations 100000] [--tracemalloc]
"""

import argparse
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from conference import create_app  # noqa: E402
from conference.extensions import db  # noqa: E402
from conference.models import Event, Registration, TeamMember, User  # noqa: E402
from conference.services.registration.exports import PARTICIPANT_COLUMNS  # noqa: E402

BATCH = 5000


def settings(path: str) -> dict:
    return {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
        "SECRET_KEY": "benchmark",
        "WTF_CSRF_ENABLED": False,
        "MAIL_BACKEND": "console",
        "RATELIMIT_ENABLED": False,
    }


def seed(path: str, count: int) -> None:
    from flask_migrate import upgrade

    app = create_app(settings(path))
    with app.app_context():
        upgrade()
        now = datetime(2014, 10, 1, tzinfo=UTC)
        event = Event(
            slug="vgt-2014",
            name="Virtual Global Taskforce International Conference 2014",
            short_name="VGT 2014",
            reference_prefix="VGT14",
            starts_on=date(2014, 11, 5),
            ends_on=date(2014, 11, 6),
            capacity=150,
        )
        organiser = User(email="organiser@politie.example", name="Olga", password_hash="!")
        organiser.totp_secret = "JBSWY3DPEHPK3PXP"
        organiser.totp_enabled_at = now
        db.session.add_all([event, organiser])
        db.session.flush()
        db.session.add(TeamMember(event_id=event.id, user_id=organiser.id, role="organiser"))
        db.session.commit()
        for start in range(0, count, BATCH):
            numbers = range(start, min(start + BATCH, count))
            db.session.execute(
                sa.insert(User),
                [
                    {
                        "id": 10 + n,
                        "email": f"delegate{n:06d}@police.example",
                        "name": f"Delegate {n:06d}",
                        "password_hash": "!",
                        "session_token": f"t{n}",
                        "locale": "en",
                        "created_at": now,
                    }
                    for n in numbers
                ],
            )
            db.session.execute(
                sa.insert(Registration),
                [
                    {
                        "event_id": event.id,
                        "user_id": 10 + n,
                        "reference": f"VGT14-{n:06d}",
                        "status": "approved" if n % 3 else "pending",
                        "organisation_other": f"=Police force {n % 97}",
                        "country": ["NL", "BE", "DE", "US", "GB"][n % 5],
                        "job_title": "Detective Inspector",
                        "dietary_needs": ["", "Vegetarian", "Halal"][n % 3],
                        "accessibility_needs": "",
                        "invitation_letter_needed": n % 7 == 0,
                        "created_at": now + timedelta(seconds=n),
                        "updated_at": now,
                    }
                    for n in numbers
                ],
            )
            db.session.commit()


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def export(client, file_format: str, traced: bool) -> tuple[int, float, float | None]:
    """Size, seconds, and with `traced` the peak of Python's allocations during the export (MB)."""
    if traced:
        tracemalloc.start()
    started = time.perf_counter()
    response = client.post(
        "/vgt-2014/organiser/exports/participants",
        data={"columns": list(PARTICIPANT_COLUMNS), "format": file_format},
    )
    assert response.status_code == 200, response.status_code
    size = sum(len(chunk) for chunk in response.response)  # the stream, chunk by chunk
    response.close()
    seconds = time.perf_counter() - started
    if not traced:
        return size, seconds, None
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return size, seconds, traced_peak / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--registrations", type=int, default=100_000)
    parser.add_argument(
        "--tracemalloc",
        action="store_true",
        help="also trace Python's allocations (about ten times slower)",
    )
    parser.add_argument("--seed-only", metavar="PATH", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.seed_only:
        seed(args.seed_only, args.registrations)
        return

    with tempfile.TemporaryDirectory(prefix="export-bench-") as folder:
        path = str(Path(folder) / "bench.sqlite3")
        started = time.perf_counter()
        # Seeded in a child process, so that its memory does not count against the export's.
        subprocess.run(
            [
                sys.executable,
                __file__,
                "--seed-only",
                path,
                "--registrations",
                str(args.registrations),
            ],
            check=True,
        )
        print(
            f"seeded {args.registrations:,} registrations in {time.perf_counter() - started:.1f} s"
        )

        app = create_app(settings(path))
        with app.app_context():
            organiser_id = db.session.scalar(
                sa.select(User.id).where(User.email == "organiser@politie.example")
            )
            session_id = db.session.get(User, organiser_id).get_id()
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = session_id
            session["_fresh"] = True
        print(f"peak memory before exporting: {peak_mb():.0f} MB")
        for file_format in ["csv", "xlsx"]:
            size, seconds, traced = export(client, file_format, args.tracemalloc)
            allocated = (
                "" if traced is None else f"; allocated at most {traced:.0f} MB (tracemalloc)"
            )
            print(
                f"{file_format}: {size / 1e6:.1f} MB file in {seconds:.1f} s{allocated}; "
                f"peak memory of the process so far (ru_maxrss): {peak_mb():.0f} MB "
                "(target: under 200 MB)"
            )


if __name__ == "__main__":
    main()
