"""Where the tests run: SQLite by default, PostgreSQL when TEST_DATABASE_URL is set; the app's
settings for tests; emptying the database between tests; counting the queries a page sends.

Every test gets an app of its own on an empty database. Three things make that cheap, and no
test can tell: templates and URL rules compiled once per session (the code depends on their
source alone), and commits that do not wait for the disk.
"""

import os
from collections.abc import Iterator
from contextlib import contextmanager

import jinja2
import sqlalchemy as sa
from flask import Flask
from werkzeug.routing import Rule

from conference import create_app
from conference.extensions import db
from conference.models import AuditEntry


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
        "PASSWORD_HASH_PROFILE": "CHEAPEST",  # the tests hash hundreds of passwords
        **overrides,
    }


class TemplatesCompiledOnce(jinja2.BytecodeCache):
    """Each template compiled once per test session rather than once per test's app.

    Jinja checks the source's checksum before it uses the code kept here.
    """

    def __init__(self):
        self.code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if bucket.key in self.code:
            bucket.bytecode_from_string(self.code[bucket.key])

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.code[bucket.key] = bucket.bytecode_to_string()


COMPILED_TEMPLATES = TemplatesCompiledOnce()


def create_app_for_tests(url: str, **overrides) -> Flask:
    """A fresh app with the test settings, its templates compiled by an earlier test if any."""
    app = create_app(settings_for_tests(url, **overrides))
    app.jinja_env.bytecode_cache = COMPILED_TEMPLATES
    return app


@contextmanager
def url_rules_compiled_once() -> Iterator[None]:
    """Each URL rule's builder compiled once per test session rather than once per test's app.

    Werkzeug writes Python code for every route and compiles it, most of the time `create_app`
    takes. That code depends on the rule alone (it gets the rule, with its converters, as an
    argument), so a rule that another test's app compiled is not compiled again. This leans on
    Werkzeug's private `_compile_builder` and `_trace`: if they change, every test fails at once.
    """
    compile_builder = Rule._compile_builder
    compiled = {}

    def compile_builder_once(rule: Rule, append_unknown: bool = True):
        converters = tuple((name, type(c)) for name, c in rule._converters.items())
        key = (rule.rule, tuple(rule._trace), converters, repr(rule.defaults), append_unknown)
        if key not in compiled:
            compiled[key] = compile_builder(rule, append_unknown)
        return compiled[key]

    Rule._compile_builder = compile_builder_once
    try:
        yield
    finally:
        Rule._compile_builder = compile_builder


def without_waiting_for_the_disk(dbapi_connection, connection_record) -> None:
    """Commits that do not wait for the disk, which is much of a test's time: a test database
    need not survive a power cut. What other connections see, and when, is unchanged."""
    cursor = dbapi_connection.cursor()
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor.execute("PRAGMA synchronous=OFF")
    elif type(dbapi_connection).__module__.startswith("psycopg"):
        cursor.execute("SET synchronous_commit TO OFF")
        dbapi_connection.commit()
    cursor.close()


def empty_all_tables() -> None:
    """Every table emptied and every id counting from 1 again, as after the migrations.

    DELETE rather than TRUNCATE on PostgreSQL too: a test leaves a few rows, and TRUNCATE makes
    every table anew on disk, a fifth of a second for an empty database.
    """
    tables = list(reversed(db.metadata.sorted_tables))
    with db.engine.begin() as connection:
        for table in tables:
            connection.execute(table.delete())
        if connection.dialect.name == "postgresql":
            sequences = connection.execute(
                sa.text(
                    "SELECT format('%I.%I', schemaname, sequencename) FROM pg_sequences"
                    " WHERE last_value IS NOT NULL"
                )
            ).scalars()
            for sequence in sequences.all():
                connection.execute(sa.select(sa.func.setval(sequence, 1, False)))


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


def row_count(model) -> int:
    """How many rows the model's table holds."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def audited(action: str) -> list[AuditEntry]:
    """The audit log's entries of `action`, oldest first."""
    return list(
        db.session.scalars(
            sa.select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
        )
    )
