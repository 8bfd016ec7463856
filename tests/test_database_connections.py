"""Pooled connections that the database closed (a restart, a failover, an idle timeout) are
replaced before a request uses them, without a round trip for every request."""

import pytest
import sqlalchemy as sa

from conference import extensions
from conference.extensions import db
from tests.environment import on_postgres

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not on_postgres(), reason="needs PostgreSQL (set TEST_DATABASE_URL)"),
]


def close_the_apps_connections() -> int:
    """What a database restart does to the pool: every other connection is ended."""
    outsider = sa.create_engine(db.engine.url, poolclass=sa.pool.NullPool)
    with outsider.begin() as connection:
        ended = connection.execute(
            sa.text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        ).scalar()
    outsider.dispose()
    return ended


def test_an_idle_connection_the_database_closed_is_replaced_unseen(client, event, monkeypatch):
    monkeypatch.setattr(extensions, "IDLE_BEFORE_PING", 0.0)  # every connection counts as idle
    assert client.get("/vgt-2014/").status_code == 200
    assert close_the_apps_connections() >= 1
    assert client.get("/vgt-2014/").status_code == 200


def test_without_the_check_the_next_request_would_fail(client, event, monkeypatch):
    """The control: a connection used again at once is not tried, and fails this once."""
    monkeypatch.setattr(extensions, "IDLE_BEFORE_PING", 3600.0)
    assert client.get("/vgt-2014/").status_code == 200
    assert close_the_apps_connections() >= 1
    assert client.get("/vgt-2014/").status_code == 500
    assert client.get("/vgt-2014/").status_code == 200  # the pool has started afresh
