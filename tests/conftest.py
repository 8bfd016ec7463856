"""Fixtures for every test: an app on a migrated database, clients, users, and a mail server.

The suite runs on SQLite by default and on PostgreSQL when TEST_DATABASE_URL is set. The schema
comes from the migrations, once per session; each test starts from empty tables. What the
fixtures are made of lives beside this file: `factories` (the conference's people and things),
`client`, `environment` and `mail_server`.
"""

import threading
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from flask_migrate import upgrade
from werkzeug.serving import make_server

from conference.extensions import db
from conference.models import Event, User
from tests.client import AuthActions, IsolatedClient, LiveServer
from tests.environment import (
    create_app_for_tests,
    database_url,
    empty_all_tables,
    url_rules_compiled_once,
    without_waiting_for_the_disk,
)
from tests.factories import make_event, make_organiser, make_user, next_november
from tests.mail_server import MailHandler, MailServer, free_port


@pytest.fixture(scope="session", autouse=True)
def commits_without_waiting_for_the_disk():
    sa.event.listen(sa.engine.Engine, "connect", without_waiting_for_the_disk)
    yield
    sa.event.remove(sa.engine.Engine, "connect", without_waiting_for_the_disk)


@pytest.fixture(scope="session", autouse=True)
def url_rules_compiled_once_per_session():
    with url_rules_compiled_once():
        yield


@pytest.fixture(scope="session")
def test_database_url(tmp_path_factory) -> str:
    """A database migrated from empty to the newest revision, once per test session."""
    url = database_url(tmp_path_factory)
    app = create_app_for_tests(url)
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as connection:
                connection.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        upgrade()
        db.engine.dispose()
    return url


@pytest.fixture
def app_settings() -> dict:
    """Override in a test module to change settings for its app."""
    return {}


@pytest.fixture
def app(test_database_url, app_settings):
    app = create_app_for_tests(test_database_url, **app_settings)
    app.test_client_class = IsolatedClient
    with app.app_context():
        yield app
        db.session.remove()
        empty_all_tables()
        db.engine.dispose()


@pytest.fixture
def live_server(test_database_url, app_settings) -> Iterator[LiveServer]:
    """The app served over real HTTP on 127.0.0.1, a thread per request, for browsers and races."""
    server_app = create_app_for_tests(test_database_url, **app_settings)
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


@pytest.fixture
def event(app) -> Event:
    event = make_event()
    db.session.commit()
    return event


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


@pytest.fixture
def auth(client) -> AuthActions:
    return AuthActions(client)


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
