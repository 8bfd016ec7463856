"""The migrations build the schema the models describe, from empty, on SQLite and PostgreSQL."""

import uuid

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from conference import create_app
from conference.extensions import db
from tests.environment import database_url, on_postgres, settings_for_tests


@pytest.fixture
def empty_database(tmp_path_factory):
    """A database of its own, with nothing in it."""
    if not on_postgres():
        yield "sqlite:///" + str(tmp_path_factory.mktemp("migrations") / "empty.sqlite3")
        return
    server_url = sa.make_url(database_url(tmp_path_factory))
    name = f"conference_migrations_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield server_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE "{name}" WITH (FORCE)')
        admin.dispose()


def test_upgrade_from_empty_matches_the_models_and_downgrades_cleanly(empty_database):
    app = create_app(settings_for_tests(empty_database))
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            differences = compare_metadata(
                MigrationContext.configure(connection, opts={"compare_type": True}), db.metadata
            )
        assert differences == [], "the models and the migrations drift apart"

        downgrade(revision="base")
        tables = set(sa.inspect(db.engine).get_table_names()) - {"alembic_version"}
        assert tables == set()
        upgrade()
        db.engine.dispose()


def test_sqlite_enforces_foreign_keys(app):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("only SQLite needs the PRAGMA")
    with db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_the_migrated_database_carries_the_models_check_constraints(app):
    """compare_metadata does not look at CHECK constraints: compare their names here."""
    inspector = sa.inspect(db.engine)
    for table in db.metadata.sorted_tables:
        expected = {
            constraint.name
            for constraint in table.constraints
            if isinstance(constraint, sa.CheckConstraint)
        }
        found = {c["name"] for c in inspector.get_check_constraints(table.name)}
        assert expected <= found, table.name


def test_the_one_active_registration_index_is_partial(app):
    """Only active registrations are unique per delegate: a cancelled one makes room."""
    [index] = [
        i
        for i in sa.inspect(db.engine).get_indexes("registration")
        if i["name"] == "uq_registration_active_per_user"
    ]
    assert index["unique"]
    where = index.get("dialect_options", {})
    assert "cancelled" in str(where.get("postgresql_where") or where.get("sqlite_where"))


def _rows(sql: str) -> list[tuple]:
    with db.engine.connect() as connection:
        return [tuple(row) for row in connection.exec_driver_sql(sql)]


def test_the_directory_consents_given_before_move_into_the_consent_table(empty_database):
    """And back on a downgrade; every other row of a registration stays where it was."""
    app = create_app(settings_for_tests(empty_database))
    with app.app_context():
        upgrade(revision="0006")
        with db.engine.begin() as connection:
            _two_registrations_and_a_note(connection)
        upgrade()
        [(registration_id, purpose, version, given_at, withdrawn_at)] = _rows(
            "SELECT registration_id, purpose, version, given_at, withdrawn_at FROM consent"
        )
        assert (registration_id, purpose, version, withdrawn_at) == (
            1,
            "participant_list",
            "2014-11",
            None,
        )
        assert str(given_at).startswith("2014-09-02 10:00:00")
        # The registration table is altered in place: nothing that cascades from it is lost.
        assert _rows("SELECT registration_id FROM registration_note") == [(1,)]
        downgrade(revision="0006")
        assert _rows(
            "SELECT id, consent_participant_list, consent_version FROM registration ORDER BY id"
        ) == [(1, True, "2014-11"), (2, False, "2014-11")]
        db.engine.dispose()


def _two_registrations_and_a_note(connection) -> None:
    """Two delegates' registrations as the schema of 0005 and 0006 holds them (the first
    consenting to the participant list), and an organiser's note on the first."""
    connection.exec_driver_sql(
        "INSERT INTO event (id, slug, name, short_name, reference_prefix, tagline, "
        "description, starts_on, ends_on, timezone, venue, city, country, "
        "participating_countries, capacity, approval_required, invitation_only, "
        "created_at) VALUES (1, 'vgt-2014', 'VGT', 'VGT 2014', 'VGT14', '', '', "
        "'2014-11-05', '2014-11-06', 'Europe/Amsterdam', '', 'Amsterdam', 'NL', '[]', "
        "150, true, false, '2014-09-01 08:00:00')"
    )
    for n in (1, 2):
        connection.exec_driver_sql(
            "INSERT INTO user_account (id, email, name, password_hash, locale, "
            f"session_token, created_at) VALUES ({n}, 'd{n}@police.example', 'D{n}', "
            f"'x', 'en', 'token{n}', '2014-09-01 08:00:00')"
        )
        given, at = ("true", "'2014-09-02 10:00:00'") if n == 1 else ("false", "NULL")
        connection.exec_driver_sql(
            "INSERT INTO registration (id, event_id, user_id, reference, status, "
            "organisation_other, country, job_title, dietary_needs, accessibility_needs, "
            "invitation_letter_needed, consent_participant_list, consent_version, "
            f"consent_given_at, created_at, updated_at) VALUES ({n}, 1, {n}, "
            f"'VGT14-00000{n}', 'pending', 'Unit', 'BE', 'Detective', '', '', false, "
            f"{given}, '2014-11', {at}, '2014-09-02 10:00:00', '2014-09-02 10:00:00')"
        )
    connection.exec_driver_sql(
        "INSERT INTO registration_note (registration_id, body, created_at) "
        "VALUES (1, 'Speaker', '2014-09-03 09:00:00')"
    )


def test_altering_a_table_on_sqlite_loses_nothing_that_cascades_from_it(empty_database):
    """SQLite alters a table by copying it and dropping the old one: with foreign keys on, the
    drop would delete every note, tag and badge of its registrations (0006 drops a column)."""
    app = create_app(settings_for_tests(empty_database))
    with app.app_context():
        upgrade(revision="0005")
        with db.engine.begin() as connection:
            _two_registrations_and_a_note(connection)
        upgrade(revision="0006")
        assert _rows("SELECT registration_id FROM registration_note") == [(1,)]
        with db.engine.connect() as connection:  # and the app's connections enforce them again
            if connection.dialect.name == "sqlite":
                assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        db.engine.dispose()
