"""Each test starts where the migrations left the database: every table empty, ids from 1."""

import pytest
import sqlalchemy as sa

from conference.extensions import db
from conference.models import Event
from tests.factories import make_event, make_organiser


@pytest.mark.parametrize("turn", ["first", "second"])
def test_each_test_finds_the_database_as_the_migrations_left_it(app, turn):
    for table in db.metadata.sorted_tables:
        assert db.session.scalar(sa.select(sa.func.count()).select_from(table)) == 0, table.name
    event = make_event()
    organiser = make_organiser(event)
    db.session.commit()  # what the next test must not find
    assert (event.id, organiser.id) == (1, 1)
    assert db.session.scalars(sa.select(Event.slug)).all() == ["vgt-2014"]


def test_a_live_server_test_also_leaves_nothing_behind(live_server):
    with live_server.app.app_context():
        make_event()
        db.session.commit()


def test_after_a_live_server_the_database_is_empty_again(app):
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Event)) == 0


def test_commits_do_not_wait_for_the_disk(app):
    """Durability a test database does not need; the tests' commits are most of their time."""
    setting = {
        "sqlite": "PRAGMA synchronous",  # 0: OFF
        "postgresql": "SHOW synchronous_commit",
    }[db.engine.dialect.name]
    assert db.session.execute(sa.text(setting)).scalar() in (0, "off")
