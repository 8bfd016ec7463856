"""Fixtures for every test: an app on a migrated database, clients, users, and a mail server.

The suite runs on SQLite by default and on PostgreSQL when TEST_DATABASE_URL is set. The schema
comes from the migrations, once per session; each test starts from empty tables.
"""

import contextvars
import os
import re
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from email import message_from_string, policy
from email.message import EmailMessage

import pyotp
import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from argon2 import PasswordHasher
from flask import Flask, has_app_context
from flask.testing import FlaskClient
from flask_migrate import upgrade
from werkzeug.serving import make_server

from conference import create_app
from conference.extensions import db
from conference.models import Event, EventOrganisation, Organisation, TeamRole, User, utcnow
from conference.services.people import accounts
from conference.services.people.team import create_organiser
from conference.services.registration.workflow import RegistrationDetails, submit_registration

PASSWORD = "correct horse battery staple"
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        if url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
        return url
    return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.sqlite3")


def on_postgres() -> bool:
    return bool(os.environ.get("TEST_DATABASE_URL"))


def settings_for_tests(url: str, **overrides) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test secret key, not for production",
        "SQLALCHEMY_DATABASE_URI": url,
        "WTF_CSRF_ENABLED": False,
        "MAIL_BACKEND": "console",
        "BASE_URL": "http://localhost",
        "RATELIMIT_STORAGE_URI": "memory://",
        **overrides,
    }


@pytest.fixture(scope="session", autouse=True)
def fast_password_hashing():
    """argon2id with its smallest cost: the tests hash hundreds of passwords."""
    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(accounts, "_hasher", cheap)
        patch.setattr(accounts, "_DUMMY_HASH", cheap.hash("timing"))
        yield


@pytest.fixture(scope="session")
def test_database_url(tmp_path_factory) -> str:
    """A database migrated from empty to the newest revision, once per test session."""
    url = database_url(tmp_path_factory)
    app = create_app(settings_for_tests(url))
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as connection:
                connection.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        upgrade()
        db.engine.dispose()
    return url


def empty_all_tables() -> None:
    tables = list(reversed(db.metadata.sorted_tables))
    with db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            names = ", ".join(f'"{table.name}"' for table in tables)
            connection.exec_driver_sql(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
        else:
            for table in tables:
                connection.execute(table.delete())


@contextmanager
def counting_queries() -> Iterator[list[str]]:
    """The SQL statements sent while the block runs: to show a page's queries do not grow."""
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)


class IsolatedClient(FlaskClient):
    """A test client whose every request gets its own app context, as in a real server.

    Flask would otherwise reuse the test's app context, and with it `g` (the logged-in user)
    and the database session. Afterwards the test's own session forgets what it had loaded, so
    it reads what the request committed.
    """

    def open(self, *args, **kwargs):
        response = contextvars.Context().run(super().open, *args, **kwargs)
        if has_app_context():
            db.session.expire_all()
        return response


@pytest.fixture
def app_settings() -> dict:
    """Override in a test module to change settings for its app."""
    return {}


@pytest.fixture
def app(test_database_url, app_settings):
    app = create_app(settings_for_tests(test_database_url, **app_settings))
    app.test_client_class = IsolatedClient
    with app.app_context():
        yield app
        db.session.remove()
        empty_all_tables()
        db.engine.dispose()


@dataclass
class LiveServer:
    app: Flask
    url: str


@pytest.fixture
def live_server(test_database_url, app_settings) -> Iterator[LiveServer]:
    """The app served over real HTTP on 127.0.0.1, a thread per request, for browsers and races."""
    server_app = create_app(settings_for_tests(test_database_url, **app_settings))
    server = make_server("127.0.0.1", 0, server_app, threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    server_app.config["BASE_URL"] = url
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(server_app, url)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        with server_app.app_context():
            db.session.remove()
            empty_all_tables()
            db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


# --- the conference's people and things -------------------------------------------------------


def organisation(name: str, **fields) -> Organisation:
    found = db.session.scalars(sa.select(Organisation).where(Organisation.name == name)).first()
    return found or Organisation(name=name, **fields)


def make_event(
    *,
    slug="vgt-2014",
    capacity=150,
    approval_required=True,
    starts_on=date(2014, 11, 5),
    ends_on=date(2014, 11, 6),
    **fields,
) -> Event:
    host = organisation(
        "Dutch National Police", short_name="Politie", kind="law_enforcement", country="NL"
    )
    europol = organisation("Europol", short_name="Europol", kind="intergovernmental", country="NL")
    event = Event(
        slug=slug,
        name="Virtual Global Taskforce International Conference 2014",
        short_name="VGT 2014",
        reference_prefix="VGT14",
        starts_on=starts_on,
        ends_on=ends_on,
        venue="Conference centre, Amsterdam",
        city="Amsterdam",
        capacity=capacity,
        approval_required=approval_required,
        participating_countries=["NL", "US"],
        **fields,
    )
    event.organisations = [
        EventOrganisation(organisation=host, is_host=True, position=0),
        EventOrganisation(organisation=europol, position=1),
    ]
    db.session.add(event)
    db.session.flush()
    return event


def make_user(email="delegate@police.example", *, name="Dana Delegate", verified=True) -> User:
    user = User(
        email=email,
        name=name,
        password_hash=accounts.hash_password(PASSWORD),
        email_verified_at=utcnow() if verified else None,
    )
    db.session.add(user)
    db.session.flush()
    return user


def make_organiser(
    event: Event, email="organiser@politie.example", *, role=TeamRole.ORGANISER
) -> User:
    """A team member with two-factor log-in already on (its secret is TOTP_SECRET)."""
    user, _ = create_organiser(event, email, PASSWORD, name="Olga Organiser")
    if role != TeamRole.ORGANISER:
        user.team_roles[0].role = role
    user.totp_secret = TOTP_SECRET
    user.totp_enabled_at = utcnow()
    return user


def current_code(secret: str = TOTP_SECRET) -> str:
    return pyotp.TOTP(secret).now()


def details(**overrides) -> RegistrationDetails:
    values = {
        "organisation": None,
        "organisation_other": "Federal Police Cybercrime Unit",
        "country": "BE",
        "job_title": "Detective Inspector",
        "dietary_needs": "Vegetarian",
        "accessibility_needs": "",
        "invitation_letter_needed": False,
        "consent_participant_list": True,
    }
    values.update(overrides)
    return RegistrationDetails(**values)


def while_registration_is_open(event: Event) -> datetime:
    """Now, or for an event that is over (the tests' event is the one of November 2014) the
    last hour before registration closed: a moment the tests' delegates may register."""
    return min(utcnow(), event.registration_ends_at - timedelta(hours=1))


def register(event: Event, email: str, **overrides):
    """A verified delegate with a freshly submitted registration."""
    return submit_registration(
        event,
        make_user(email, name=email.partition("@")[0]),
        details(**overrides),
        now=while_registration_is_open(event),
    )


@pytest.fixture
def event(app) -> Event:
    event = make_event()
    db.session.commit()
    return event


def next_november() -> dict:
    """The tests' event's dates in a November still to come, for a test whose delegate
    registers today through a form: registration closes once an event is over."""
    year = utcnow().year + 1
    return {"starts_on": date(year, 11, 5), "ends_on": date(year, 11, 6)}


@pytest.fixture
def upcoming_event(event) -> Event:
    """The tests' event, moved to next November: open for registration today."""
    dates = next_november()
    event.starts_on, event.ends_on = dates["starts_on"], dates["ends_on"]
    db.session.commit()
    return event


@pytest.fixture
def organiser(event) -> User:
    user = make_organiser(event)
    db.session.commit()
    return user


@pytest.fixture
def delegate(app) -> User:
    user = make_user()
    db.session.commit()
    return user


def csrf_token(page: str) -> str | None:
    """The CSRF token of the page's (first) form; None when the app runs without them."""
    found = re.search(r'name="csrf_token"[^>]*? value="([^"]+)"', page)
    return found and found.group(1)


class AuthActions:
    """Logs in the way a person does: through the login form, and the code form after it.

    Each form is opened first, so that its CSRF token goes with it when protection is on.
    """

    def __init__(self, client):
        self.client = client

    def _submit(self, path: str, **data):
        token = csrf_token(self.client.get(path).text)
        return self.client.post(path, data={**data, **({"csrf_token": token} if token else {})})

    def login(self, email="delegate@police.example", password=PASSWORD):
        response = self._submit("/account/login", email=email, password=password)
        if response.headers.get("Location") != "/account/login/code":
            return response
        # A code works once: stand in for the half minute a person waits for the next one.
        db.session.execute(sa.update(User).where(User.email == email).values(totp_last_step=None))
        db.session.commit()
        return self._submit("/account/login/code", code=current_code())

    def logout(self):
        token = csrf_token(self.client.get("/account/").text)  # the menu's log-out form
        return self.client.post("/account/logout", data={"csrf_token": token} if token else {})


@pytest.fixture
def auth(client) -> AuthActions:
    return AuthActions(client)


# --- mail -------------------------------------------------------------------------------------


@dataclass
class ReceivedMail:
    sender: str
    recipients: list[str]
    data: str


@dataclass
class MailHandler:
    received: list[ReceivedMail] = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.received.append(
            ReceivedMail(
                envelope.mail_from,
                list(envelope.rcpt_tos),
                envelope.content.decode("utf8", errors="replace"),
            )
        )
        return "250 Message accepted for delivery"


@dataclass
class MailServer:
    host: str
    port: int
    handler: MailHandler

    @property
    def received(self) -> list[ReceivedMail]:
        return self.handler.received

    def settings(self) -> dict:
        return {
            "MAIL_BACKEND": "smtp",
            "MAIL_SERVER": self.host,
            "MAIL_PORT": self.port,
            "MAIL_TIMEOUT": 5,
        }

    def messages_to(self, recipient: str) -> list[EmailMessage]:
        """What the recipient got, parsed, bodies decoded from their transfer encoding."""
        return [
            message_from_string(mail.data, policy=policy.default)
            for mail in self.received
            if recipient in mail.recipients
        ]

    def links_to(self, recipient: str, path_fragment: str) -> list[str]:
        """The links containing `path_fragment` in the plain text of the recipient's emails."""
        return [
            url
            for message in self.messages_to(recipient)
            for url in re.findall(r"https?://\S+", message.get_body(("plain",)).get_content())
            if path_fragment in url
        ]


def free_port() -> int:
    """A port on the loopback interface that nothing listens on, for now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def mail_server() -> Iterator[MailServer]:
    """A real SMTP server on the loopback interface, for the duration of one test."""
    handler = MailHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield MailServer("127.0.0.1", controller.port, handler)
    finally:
        controller.stop()
