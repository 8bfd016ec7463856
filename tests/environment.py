"""Where the tests run: SQLite by default, PostgreSQL when TEST_DATABASE_URL is set; the app's
settings for tests; emptying the database between tests; counting the queries a page sends."""

import os
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa

from conference.extensions import db


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
