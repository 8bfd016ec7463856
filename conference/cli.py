"""The `flask --app conference ...` commands."""

import secrets
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from zoneinfo import ZoneInfo

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from conference.extensions import db
from conference.local_time import date_range
from conference.services.errors import DomainError
from conference.services.events.finding import all_events
from conference.services.mail import outbox, worker
from conference.services.people.accounts import PASSWORD_MIN_LENGTH
from conference.services.people.team import create_team_member
from conference.services.privacy import retention
from conference.services.registration.workflow import registration_window_notice


def register_commands(app: Flask) -> None:
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(create_organiser_command)
    app.cli.add_command(send_mail_command)
    app.cli.add_command(purge_command)


@click.command("seed-demo")
@with_appcontext
@click.option(
    "--delegates",
    default=0,
    show_default=True,
    type=click.IntRange(0, 100_000),
    help="Also add this many fictional delegates with registrations.",
)
@click.option(
    "--upcoming",
    is_flag=True,
    help="Hold the conference on the same weekdays of an upcoming November, registration open"
    " today, instead of on 5 and 6 November 2014.",
)
def seed_demo_command(delegates: int, upcoming: bool) -> None:
    """Load the VGT 2014 conference demo data. Safe to run more than once."""
    from conference.demo import (
        DEMO_DESK_EMAIL,
        DEMO_ORGANISER_EMAIL,
        DEMO_ORGANISER_PASSWORD,
        seed_demo,
    )

    if current_app.config["CONFERENCE_ENV"] == "production":
        raise click.ClickException("seed-demo does not run with CONFERENCE_ENV=production.")
    report = seed_demo(delegates=delegates, upcoming=upcoming)
    db.session.commit()
    event = report.event
    when = date_range(event.starts_on, event.ends_on)
    click.echo(f"Demo event {event.short_name} is at /{event.slug}/, on {when}.")
    closes = event.registration_ends_at.astimezone(ZoneInfo(event.timezone))
    click.echo(
        "  "
        + (
            registration_window_notice(event)
            or f"Registration is open until {closes:%-d %B %Y at %H:%M} ({event.timezone} time)."
        )
    )
    if report.days_moved:
        click.echo(
            "  It moved from the dates an earlier run gave it, with its programme; delegates"
            " seeded then keep their sign-up dates (remove the database to start afresh)."
        )
    if delegates:
        click.echo(f"Added {report.delegates_added} fictional delegates.")
    click.echo(f"Demo organiser: {DEMO_ORGANISER_EMAIL} / password {DEMO_ORGANISER_PASSWORD}")
    click.echo(
        "  (the back office asks organisers to turn on two-factor log-in first: scan the QR code"
        " it shows with any authenticator app, or type in the key shown beside it)"
    )
    click.echo(
        f"Demo check-in desk: {DEMO_DESK_EMAIL} / password {DEMO_ORGANISER_PASSWORD}"
        f" (the desk is at /{event.slug}/check-in/)"
    )


@click.command("create-organiser")
@with_appcontext
@click.argument("email")
@click.option("--name", default=None, help="The organiser's name (default: from the address).")
@click.option(
    "--event", "event_slug", default=None, help="The event they organise (default: the only event)."
)
@click.option("--password", default=None, help="Asked at the prompt when not given here.")
@click.option(
    "--generate-password",
    is_flag=True,
    help="Generate a password and print it once, instead of asking.",
)
def create_organiser_command(email, name, event_slug, password, generate_password) -> None:
    """Create an organiser account for an event, or make an existing user its organiser."""
    events = all_events()
    if event_slug:
        events = [event for event in events if event.slug == event_slug]
    if not events:
        raise click.ClickException("No such event. Load one first, e.g. with seed-demo.")
    if len(events) > 1:
        raise click.ClickException(
            "Which event? Use --event with one of: " + ", ".join(e.slug for e in events)
        )
    if generate_password:
        password = secrets.token_urlsafe(12)
    elif password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    if len(password) < PASSWORD_MIN_LENGTH:
        raise click.ClickException(f"The password needs at least {PASSWORD_MIN_LENGTH} characters.")
    try:
        user, created = create_team_member(events[0], email, password, name=name)
    except DomainError as error:
        raise click.ClickException(error.message) from error
    db.session.commit()
    verb = "Created" if created else "Made existing user"
    click.echo(f"{verb} {user.email} organiser of {events[0].short_name}.")
    if created and generate_password:
        click.echo(f"Password (shown once): {password}")


@click.command("send-mail")
@with_appcontext
@click.option(
    "--watch",
    type=click.FloatRange(min=1),
    default=None,
    metavar="SECONDS",
    help="Keep running, looking for new mail every SECONDS; SIGTERM or Ctrl-C stops it after the"
    " email being sent.",
)
def send_mail_command(watch: float | None) -> None:
    """Deliver the emails waiting in the outbox, each once.

    \b
    Each email is claimed before it is sent, so two workers never send the same one; a failed
    email is tried again after 1, 2, 4 ... minutes (at most an hour apart), and given up after
    MAIL_MAX_ATTEMPTS failures, or at once when the server refuses its recipient for good (5xx).
    On PostgreSQL any number of workers may run. On SQLite one worker runs at a time: a second
    one-off run refuses to start (exit code 1), a second --watch waits for the first to stop;
    either says so in one line.

    Prints counts, never an address or a subject. A one-off run exits with 1 when an email
    could not be sent.
    """
    config = current_app.config
    if config["MAIL_CLAIM_TIMEOUT"] < 3 * config["MAIL_TIMEOUT"]:
        raise click.UsageError(
            f"MAIL_CLAIM_TIMEOUT ({config['MAIL_CLAIM_TIMEOUT']:g} s) must be at least three times"
            f" MAIL_TIMEOUT ({config['MAIL_TIMEOUT']:g} s): a claim must outlast a slow send."
        )
    try:
        with worker.one_worker_on_sqlite(
            db.engine.url, wait=watch is not None, say=lambda line: click.echo(line, err=True)
        ):
            if watch is None:
                report = send_due_mail()
                click.echo(report.summary())
                if report.failed:
                    raise SystemExit(1)
                return
            with stopped_by_signals() as stopping:
                while not stopping.is_set():
                    report = send_due_mail(stopping)
                    if report.reminders or report.sent or report.failed or report.given_back:
                        click.echo(report.summary())
                    stopping.wait(watch)
    except worker.AnotherWorkerIsRunning as refusal:
        click.echo(str(refusal), err=True)
        raise SystemExit(1) from None


def send_due_mail(stopping: threading.Event | None = None) -> worker.RunReport:
    transport = outbox.transport_from_config(current_app.config)
    try:
        return worker.run_once(transport, stopping=stopping)
    finally:
        transport.close()


@contextmanager
def stopped_by_signals() -> Iterator[threading.Event]:
    """An event that SIGTERM and SIGINT set, instead of ending the process mid-send."""
    stopping = threading.Event()
    previous = {
        number: signal.signal(number, lambda *_: stopping.set())
        for number in (signal.SIGTERM, signal.SIGINT)
    }
    try:
        yield stopping
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


@click.command("purge")
@with_appcontext
@click.option("--dry-run", is_flag=True, help="List what would be anonymised; change nothing.")
def purge_command(dry_run: bool) -> None:
    """Anonymise the personal data of events past their retention period. Run it daily."""
    due = retention.due_purges()
    if not due:
        click.echo("Nothing to purge.")
        return
    for purge in due:
        event = purge.event
        when = purge.at.astimezone(ZoneInfo(event.timezone))
        verb = "Would anonymise" if dry_run else "Anonymised"
        deleted = "would delete" if dry_run else "deleted"
        if not dry_run:
            retention.purge_event(event)
            db.session.commit()
        click.echo(
            f"{verb} {purge.registrations} registration(s) of {event.short_name} ({event.slug}),"
            f" due since {when:%-d %B %Y} ({event.retention_months} months after the event);"
            f" {deleted} {purge.emails} email(s) and {purge.messages} message(s)."
        )
