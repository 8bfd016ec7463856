"""The flask commands: demo data, organiser accounts, the mail worker, the purge."""

import itertools
import queue
import signal
import threading
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from conference.demo import (
    COUNTRIES,
    DEMO_DESK_EMAIL,
    DEMO_ORGANISER_EMAIL,
    DEMO_ORGANISER_PASSWORD,
    INVITEES,
    PARTNERS,
)
from conference.demo_dates import upcoming_dates
from conference.demo_programme import SESSIONS
from conference.extensions import db
from conference.models import (
    AuditEntry,
    DeliveryState,
    Event,
    Invitation,
    Message,
    Organisation,
    OutboxEmail,
    ProgrammeSession,
    ProgrammeVersion,
    Registration,
    RegistrationStatus,
    SessionKind,
    TeamRole,
    User,
    utcnow,
)
from conference.permissions import needs_two_factor
from conference.services.mail import worker
from conference.services.on_site import visa_letters
from conference.services.people.accounts import authenticate
from conference.services.privacy import retention
from conference.services.programme import publishing
from conference.services.registration import workflow
from conference.templating import date_range
from tests.concurrency.test_mail_queue import Worker
from tests.delivery_helpers import queued
from tests.environment import on_postgres, row_count
from tests.factories import approved, make_event, next_november, register
from tests.mail_server import free_port
from tests.services.test_outbox import RefusingHandler, mail_settings, smtp_server_on


def test_seed_demo_loads_the_vgt_conference_and_is_idempotent(runner, app):
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    assert f"Demo organiser: {DEMO_ORGANISER_EMAIL}" in first.output
    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0
    event = db.session.scalars(sa.select(Event)).one()
    assert (event.slug, event.capacity, event.approval_required) == ("vgt-2014", 150, True)
    assert (event.starts_on.isoformat(), event.ends_on.isoformat()) == ("2014-11-05", "2014-11-06")
    assert event.city == "Amsterdam"
    assert event.host.name == "Dutch National Police"
    assert len(event.partners) == 11 == len(PARTNERS)
    assert {"FBI", "Europol", "Interpol", "Facebook", "ECPAT", "NCMEC"} <= {
        link.organisation.short_name for link in event.partners
    }
    assert all(link.organisation.kind and link.organisation.country for link in event.partners)
    assert len(set(event.participating_countries)) == 18
    assert row_count(Organisation) == 12
    assert row_count(User) == 2  # the organiser and the check-in desk
    assert row_count(Invitation) == len(INVITEES)  # invited once, not again on the second run
    assert row_count(ProgrammeSession) == len(SESSIONS)
    assert row_count(ProgrammeVersion) == 1


def test_the_demo_has_a_check_in_desk_account_that_reaches_the_desk(runner, app):
    result = runner.invoke(args=["seed-demo"])
    assert f"Demo check-in desk: {DEMO_DESK_EMAIL}" in result.output
    event = db.session.scalars(sa.select(Event)).one()
    desk = authenticate(DEMO_DESK_EMAIL, DEMO_ORGANISER_PASSWORD)
    assert desk.role_in(event) == TeamRole.CHECK_IN and not needs_two_factor(desk, event)


def test_the_demo_programme_is_published_over_both_days(runner, app):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    event = db.session.scalars(sa.select(Event)).one()
    published = publishing.published_programme(event)
    assert [len(published.sessions_on(day)) for day in published.days] == [15, 11]
    assert {s.kind for s in published.sessions} == set(SessionKind)
    workshops = [s for s in published.sessions if s.kind == SessionKind.WORKSHOP]
    assert len(workshops) == 9 and all(s.capacity for s in workshops)
    assert len(published.tracks) == 6 and len(published.rooms) == 4
    opening = published.sessions[1]
    assert opening.title == "Opening of the conference"
    assert published.local(opening.starts_at).strftime("%d %b %H:%M %z") == "05 Nov 09:15 +0100"
    europol = next(s for s in published.speakers if s.name == "Piotr Kowalski")
    assert europol.organisation == "Europol"
    db.session.expire_all()  # read back as stored: the public sees what the timetable holds
    assert not publishing.has_unpublished_changes(event)


def test_the_demo_event_has_the_visa_letters_wording(runner, app):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    event = db.session.scalars(sa.select(Event)).one()
    assert visa_letters.missing_wording(event) == []
    assert event.letter_letterhead.startswith("Dutch National Police\n")


def test_seed_demo_adds_delegates_across_statuses_and_countries(runner, app):
    assert runner.invoke(args=["seed-demo", "--delegates", "120"]).exit_code == 0
    assert runner.invoke(args=["seed-demo", "--delegates", "120"]).exit_code == 0
    registrations = db.session.scalars(sa.select(Registration)).all()
    assert len(registrations) == 120
    statuses = Counter(r.status for r in registrations)
    assert set(statuses) == set(RegistrationStatus)
    assert {r.country for r in registrations} == set(COUNTRIES)
    assert len({r.organisation_id for r in registrations}) > 5
    # Each carries its history, as if decided by the demo organiser.
    entries = Counter(
        db.session.scalars(
            sa.select(AuditEntry.object_id).where(AuditEntry.object_type == "registration")
        ).all()
    )
    for registration in registrations:
        decided = registration.status != RegistrationStatus.PENDING
        assert entries[registration.id] == (2 if decided else 1)
        if registration.status == RegistrationStatus.APPROVED:
            assert registration.decided_by.email == DEMO_ORGANISER_EMAIL


def test_seed_demo_never_approves_past_the_capacity(runner, app):
    assert runner.invoke(args=["seed-demo", "--delegates", "400"]).exit_code == 0
    approved = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Registration)
        .where(Registration.status == RegistrationStatus.APPROVED)
    )
    assert approved == 150


def test_seed_demo_refuses_production(runner, app):
    app.config["CONFERENCE_ENV"] = "production"
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code != 0
    assert "does not run with CONFERENCE_ENV=production" in result.output


def test_create_organiser_asks_for_the_password(runner, app):
    runner.invoke(args=["seed-demo"])
    result = runner.invoke(
        args=["create-organiser", "Ruud@Politie.example"],
        input="a long enough password\na long enough password\n",
    )
    assert result.exit_code == 0, result.output
    user = authenticate("ruud@politie.example", "a long enough password")
    assert user.organises(db.session.scalars(sa.select(Event)).one())


def test_create_organiser_can_generate_and_print_the_password_once(runner, app):
    runner.invoke(args=["seed-demo"])
    result = runner.invoke(args=["create-organiser", "ruud@politie.example", "--generate-password"])
    password = result.output.split("Password (shown once): ")[1].strip()
    assert authenticate("ruud@politie.example", password)


def test_create_organiser_refuses_a_short_password_and_a_missing_event(runner, app):
    result = runner.invoke(args=["create-organiser", "x@politie.example", "--password", "x" * 20])
    assert "No such event" in result.output and result.exit_code != 0
    runner.invoke(args=["seed-demo"])
    result = runner.invoke(args=["create-organiser", "x@politie.example", "--password", "short"])
    assert "at least 12 characters" in result.output and result.exit_code != 0
    assert not db.session.scalars(sa.select(User).where(User.email == "x@politie.example")).all()


def test_seed_demo_gives_every_delegate_of_one_batch_a_reference_of_its_own(
    runner, app, monkeypatch
):
    """Each reference code is drawn twice in a row, as chance may draw it: the second draw
    must be refused although the first is not in the database yet."""
    draws = itertools.count()

    def choice(alphabet: str) -> str:
        return alphabet[next(draws) // 12 % len(alphabet)]  # AAAAAA, AAAAAA, BBBBBB, ...

    monkeypatch.setattr(workflow, "secrets", SimpleNamespace(choice=choice))
    result = runner.invoke(args=["seed-demo", "--delegates", "5"])
    assert result.exit_code == 0, result.output
    references = db.session.scalars(sa.select(Registration.reference)).all()
    assert sorted(references) == [f"VGT14-{letter * 6}" for letter in "ABCDE"]


# --- the demo on an upcoming November -------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "first_day"),
    [
        (datetime(2026, 12, 2, 9, tzinfo=UTC), date(2027, 11, 10)),  # 5 Nov 2027 is a Friday
        (datetime(2026, 1, 15, 9, tzinfo=UTC), date(2026, 11, 11)),  # 5 Nov 2026 is a Thursday
        (datetime(2026, 11, 6, 15, 59, tzinfo=UTC), date(2026, 11, 11)),  # an hour before closing
        (datetime(2026, 11, 6, 16, 0, tzinfo=UTC), date(2027, 11, 10)),  # registration closed
        (datetime(2014, 11, 5, 9, tzinfo=UTC), date(2015, 11, 11)),  # the day itself is past
        (datetime(2019, 1, 1, 9, tzinfo=UTC), date(2019, 11, 6)),  # 5 Nov 2019 is a Tuesday
    ],
)
def test_the_upcoming_conference_is_on_a_wednesday_and_thursday_of_a_coming_november(
    now, first_day
):
    dates = upcoming_dates(now)
    assert (dates.first_day, dates.last_day) == (first_day, first_day + timedelta(days=1))
    assert first_day.weekday() == date(2014, 11, 5).weekday() == 2  # a Wednesday
    assert dates.registration_opens_at < now < dates.registration_closes_at
    closes = dates.registration_closes_at.astimezone(ZoneInfo("Europe/Amsterdam"))
    assert (closes.strftime("%A %H:%M"), (first_day - closes.date()).days) == ("Friday 17:00", 5)


def test_plain_seed_demo_keeps_the_source_documents_dates_and_window(runner, app):
    assert runner.invoke(args=["seed-demo", "--delegates", "60"]).exit_code == 0
    event = db.session.scalars(sa.select(Event)).one()
    assert (event.starts_on, event.ends_on) == (date(2014, 11, 5), date(2014, 11, 6))
    assert event.registration_opens_at == datetime(2014, 9, 1, 7, tzinfo=UTC)  # 09:00 local
    assert event.registration_closes_at == datetime(2014, 10, 31, 16, tzinfo=UTC)  # 17:00 local
    registrations = db.session.scalars(sa.select(Registration)).all()
    assert all(
        event.registration_opens_at <= r.created_at < event.registration_closes_at
        for r in registrations
    )
    assert all(
        r.decided_at < datetime(2014, 11, 5, tzinfo=UTC) for r in registrations if r.decided_at
    )


def test_seed_demo_upcoming_lets_a_new_user_try_every_step_today(runner, app):
    result = runner.invoke(args=["seed-demo", "--upcoming", "--delegates", "60"])
    assert result.exit_code == 0, result.output
    now = utcnow()
    event = db.session.scalars(sa.select(Event)).one()
    assert event.starts_on > now.date() and event.starts_on.month == 11
    assert (event.starts_on.weekday(), (event.ends_on - event.starts_on).days) == (2, 1)
    assert event.registration_open_at(now)
    assert f"on {date_range(event.starts_on, event.ends_on)}" in result.output
    assert "Registration is open until" in result.output
    published = publishing.published_programme(event)
    assert published.days == [event.starts_on, event.ends_on]
    assert [len(published.sessions_on(day)) for day in published.days] == [15, 11]
    opening = published.sessions[1]
    assert published.local(opening.starts_at).date() == event.starts_on
    assert published.local(opening.starts_at).strftime("%H:%M") == "09:15"
    registrations = db.session.scalars(sa.select(Registration)).all()
    assert len(registrations) == 60
    for registration in registrations:  # signed up since registration opened, none to come
        assert event.registration_opens_at <= registration.created_at <= now
        for moment in (registration.decided_at, registration.cancelled_at):
            assert moment is None or registration.created_at <= moment <= now

    again = runner.invoke(args=["seed-demo", "--upcoming", "--delegates", "60"])
    assert again.exit_code == 0
    assert row_count(Registration) == 60 and row_count(ProgrammeVersion) == 1
    assert db.session.scalars(sa.select(Event)).one().starts_on == event.starts_on


def test_a_demo_loaded_before_moves_with_its_programme_and_published_version(runner, app):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    assert runner.invoke(args=["seed-demo", "--upcoming"]).exit_code == 0
    event = db.session.scalars(sa.select(Event)).one()
    assert event.starts_on > utcnow().date()
    published = publishing.published_programme(event)
    assert published.version == 2
    assert published.days == [event.starts_on, event.ends_on]
    assert [len(published.sessions_on(day)) for day in published.days] == [15, 11]
    assert published.local(published.sessions[1].starts_at).strftime("%H:%M") == "09:15"
    assert not publishing.has_unpublished_changes(event)

    assert runner.invoke(args=["seed-demo", "--upcoming"]).exit_code == 0
    assert row_count(ProgrammeVersion) == 2  # nothing moved, nothing published
    assert runner.invoke(args=["seed-demo"]).exit_code == 0  # and back to 2014
    back = publishing.published_programme(db.session.scalars(sa.select(Event)).one())
    assert (back.version, back.first_day) == (3, date(2014, 11, 5))
    assert back.local(back.sessions[1].starts_at).isoformat() == "2014-11-05T09:15:00+01:00"


# --- the retention purge ------------------------------------------------------------------------


def test_purge_dry_run_lists_the_events_past_their_retention_and_changes_nothing(runner, app):
    old = make_event()  # 5 and 6 November 2014: twelve months on, long due
    approved(old, "dana@police.example")
    approved(make_event(slug="vgt-next", **next_november()), "kim@police.example")
    db.session.commit()
    result = runner.invoke(args=["purge", "--dry-run"])
    assert result.exit_code == 0, result.output
    emails = retention.purge_of(old).emails  # its emails, however many its steps queued
    assert result.output.splitlines() == [
        "Would anonymise 1 registration(s) of VGT 2014 (vgt-2014), due since 7 November 2015"
        f" (12 months after the event); would delete {emails} email(s) and 0 message(s)."
    ]
    assert (
        db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "event.purged")).all()
        == []
    )
    assert db.session.scalars(sa.select(User.email).order_by(User.email)).all() == [
        "dana@police.example",
        "kim@police.example",
    ]


def test_purge_anonymises_past_events_keeping_their_counts_once(runner, app):
    old = make_event()
    dana = approved(old, "dana@police.example")
    register(old, "jo@police.example", country="NL")
    kept = approved(make_event(slug="vgt-next", **next_november()), "kim@police.example")
    db.session.commit()

    def statistics(event):
        return Counter(
            db.session.execute(
                sa.select(Registration.status, Registration.country).where(
                    Registration.event_id == event.id
                )
            ).all()
        )

    before = statistics(old)
    result = runner.invoke(args=["purge"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Anonymised 2 registration(s) of VGT 2014")
    db.session.expire_all()
    assert statistics(old) == before
    purged = db.session.get(Registration, dana.id)
    assert purged.user.name.startswith("Erased person ") and purged.job_title == ""
    # The delegate's account lives on, for other events; the registration no longer names it.
    assert purged.user.email != "dana@police.example"
    assert db.session.get(Registration, kept.id).job_title == "Detective Inspector"
    assert retention.due_purges() == []
    assert runner.invoke(args=["purge"]).output == "Nothing to purge.\n"


def test_purge_deletes_the_events_emails_and_messages_and_dry_run_counts_them(runner, app):
    old = make_event()
    dana = approved(old, "dana@police.example")
    message = Message(event_id=old.id, subject="Your hotel", body="Dear {name}", state="sent")
    db.session.add(message)
    db.session.flush()
    queued(old, dana.user.email, user=dana.user, message=message, kind="message")
    queued(old, dana.user.email, registration=dana, state=DeliveryState.FAILED)
    queued(old, "invited@police.example", kind="event_invitation")
    later = make_event(slug="vgt-next", **next_november())
    kim = approved(later, "kim@police.example")
    kept = queued(later, kim.user.email, registration=kim)
    db.session.commit()
    emails = retention.purge_of(old).emails
    assert emails >= 3

    dry = runner.invoke(args=["purge", "--dry-run"])
    assert f"would delete {emails} email(s) and 1 message(s)." in dry.output
    assert row_count(Message) == 1 and retention.purge_of(old).emails == emails

    result = runner.invoke(args=["purge"])
    assert result.exit_code == 0, result.output
    assert f"deleted {emails} email(s) and 1 message(s)." in result.output
    db.session.expire_all()
    assert retention.purge_of(old).emails == 0 and row_count(Message) == 0
    assert db.session.get(OutboxEmail, kept.id) is not None  # the event to come keeps its own
    [entry] = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "event.purged"))
    assert (entry.details["emails"], entry.details["messages"]) == (emails, 1)
    assert runner.invoke(args=["purge"]).output == "Nothing to purge.\n"


# --- send-mail ------------------------------------------------------------------------------------

sqlite_only = pytest.mark.skipif(on_postgres(), reason="one worker at a time is SQLite's rule")


@sqlite_only
def test_a_second_send_mail_on_one_sqlite_database_refuses_to_start_and_says_why(
    runner, app, event, mail_server
):
    app.config.update(mail_server.settings())
    register(event, "anna@police.example")
    db.session.commit()

    with worker.one_worker_on_sqlite(db.engine.url, wait=False, say=print):  # the first worker
        result = runner.invoke(args=["send-mail"])

    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        "Another send-mail worker is running on this SQLite database"
        f" ({worker.sqlite_lock_file(db.engine.url)} is locked); on SQLite one worker sends at a"
        " time. Not started."
    ]
    assert mail_server.received == []
    assert db.session.scalar(sa.select(OutboxEmail.claimed_at)) is None
    assert runner.invoke(args=["send-mail"]).exit_code == 0, "once the first has stopped"
    assert len(mail_server.received) == 1


@sqlite_only
def test_a_second_watching_send_mail_on_sqlite_waits_for_the_first_and_says_so(
    app, event, mail_server, test_database_url
):
    register(event, "anna@police.example")
    db.session.commit()
    lines: queue.Queue[str] = queue.Queue()

    def next_line(deadline: float = 30) -> str:
        return lines.get(timeout=deadline)

    with worker.one_worker_on_sqlite(db.engine.url, wait=False, say=print):  # the first worker
        second = Worker.start(test_database_url, mail_server.port, options=("--watch", "1"))
        threading.Thread(
            target=lambda: [lines.put(line) for line in second.process.stderr], daemon=True
        ).start()
        said = next_line()
        assert said.startswith("Another send-mail worker is running on this SQLite database")
        assert said.endswith("is locked); waiting for it to stop.\n")
        assert mail_server.received == []
    assert next_line() == "The other worker has stopped; this one sends now.\n"
    deadline = time.monotonic() + 30
    while not mail_server.received and time.monotonic() < deadline:
        time.sleep(0.01)
    second.process.send_signal(signal.SIGTERM)  # stops it after the email being sent, if any
    stdout, _ = second.process.communicate(timeout=30)

    assert second.process.returncode == 0
    assert "Sent 1 email(s), 0 will retry, 0 gave up." in stdout
    assert [mail.recipients for mail in mail_server.received] == [["anna@police.example"]]


def test_on_postgresql_any_number_of_workers_share_the_outbox_without_a_lock_file():
    url = sa.engine.make_url("postgresql+psycopg://conference@db.example/conference")
    assert worker.sqlite_lock_file(url) is None
    assert worker.sqlite_lock_file(sa.engine.make_url("sqlite://")) is None
    lock = worker.sqlite_lock_file(sa.engine.make_url("sqlite:////srv/conference/db.sqlite3"))
    assert str(lock) == "/srv/conference/db.sqlite3.send-mail.lock"


def test_send_mail_help_says_what_a_second_worker_does(runner, app):
    text = " ".join(runner.invoke(args=["send-mail", "--help"]).output.split())
    assert "On PostgreSQL any number of workers may run." in text
    assert "a second one-off run refuses to start (exit code 1)" in text
    assert "a second --watch waits for the first to stop" in text
    assert "given up after MAIL_MAX_ATTEMPTS failures" in text


def test_send_mail_prints_counts_and_never_an_address_or_a_subject(runner, app, event):
    handler = RefusingHandler(
        refusals={
            "ben@police.example": "550 5.1.1 mailbox unavailable",
            "carla@police.example": "451 4.2.0 mailbox busy, try later",
        }
    )
    port = free_port()
    app.config.update(mail_settings(port))
    references = [
        register(event, f"{name}@police.example").reference for name in ("anna", "ben", "carla")
    ]
    db.session.commit()

    with smtp_server_on(port, handler):
        result = runner.invoke(args=["send-mail"])

    assert result.exit_code == 1
    assert result.output.strip() == "Sent 1 email(s), 1 will retry, 1 gave up."
    for secret in ("@police.example", "anna", "ben", "carla", "registration", *references):
        assert secret not in result.output


def test_send_mail_says_the_server_could_not_be_reached_without_naming_anyone(runner, app, event):
    app.config.update(mail_settings(free_port()))  # nothing listens there
    register(event, "anna@police.example")
    register(event, "ben@police.example")
    db.session.commit()

    result = runner.invoke(args=["send-mail"])

    assert result.exit_code == 1
    assert result.output.strip() == (
        "Sent 0 email(s), 1 will retry, 0 gave up. The mail server could not take them"
        " (ConnectionRefusedError): 1 more wait for the next run."
    )


def test_send_mail_refuses_a_claim_timeout_shorter_than_a_slow_send(runner, app):
    app.config.update(MAIL_CLAIM_TIMEOUT=20, MAIL_TIMEOUT=10)
    result = runner.invoke(args=["send-mail"])
    assert result.exit_code == 2
    assert "MAIL_CLAIM_TIMEOUT (20 s) must be at least three times MAIL_TIMEOUT (10 s)" in (
        result.output
    )


def test_send_mail_stops_at_a_server_closing_on_us_and_names_only_its_code(runner, app, event):
    handler = RefusingHandler(
        refusals={"anna@police.example": "421 4.7.0 <anna@police.example> try again later"}
    )
    port = free_port()
    app.config.update(mail_settings(port))
    register(event, "anna@police.example")
    register(event, "ben@police.example")
    db.session.commit()

    with smtp_server_on(port, handler):
        result = runner.invoke(args=["send-mail"])

    assert result.exit_code == 1
    assert result.output.strip() == (
        "Sent 0 email(s), 1 will retry, 0 gave up. The mail server could not take them"
        " (SMTP 421): 1 more wait for the next run."
    )
    assert handler.received == []


def test_send_mail_sends_a_reminder_that_fell_due_while_it_was_down_once(runner, app, mail_server):
    app.config.update(mail_server.settings())
    event = make_event(**next_november())
    approved(event, "anna@police.example")
    register(event, "ben@police.example")  # pending: not in the reminder's group
    db.session.add(
        Message(
            event_id=event.id,
            subject="{event_short}: see you soon",
            body="Dear {name},\n\nSee you in {city}.",
            audience={"status": "approved"},
            state="scheduled",
            is_reminder=True,
            send_at=utcnow() - timedelta(days=2),  # the worker was down when it fell due
        )
    )
    db.session.commit()
    mail_server.received.clear()

    first = runner.invoke(args=["send-mail"])
    again = runner.invoke(args=["send-mail"])

    assert first.exit_code == 0, first.output
    assert first.output.startswith("1 reminder(s) due, queued to their groups. Sent ")
    reminders = [m for m in mail_server.received if "see you soon" in m.data]
    assert [m.recipients for m in reminders] == [["anna@police.example"]]
    [copy] = [m for m in mail_server.messages_to("anna@police.example") if "soon" in m["Subject"]]
    assert copy.get_body(("plain",)).get_content().startswith("Dear anna,")
    assert "reminder" not in again.output
    assert len([m for m in mail_server.received if "see you soon" in m.data]) == 1
