"""Password guessing is slowed per address and per address-and-account, and never locks the
owner out: many failures across addresses raise an alarm to the owner instead."""

import os
import uuid
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from freezegun import freeze_time

from conference import create_app
from conference.extensions import db
from conference.models import AuditEntry, OutboxEmail
from tests.client import AuthActions, assert_redirects
from tests.factories import PASSWORD, current_code
from tests.web.test_accounts import redis_available

WRONG = "not the password at all"


def a_whole_second_now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def log_in(client, email, password, address):
    return client.post(
        "/account/login",
        data={"email": email, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


def test_an_attacker_cannot_lock_the_owner_out(app, client, organiser):
    """Ten wrong passwords a minute from one address for five minutes, as the review found;
    the organiser's right password and code from their own address still get in."""
    with freeze_time(a_whole_second_now()) as clock:
        for _ in range(5):
            for _ in range(10):
                log_in(client, organiser.email, WRONG, "203.0.113.66")
            clock.tick(60)
        owner = app.test_client()
        response = log_in(owner, organiser.email, PASSWORD, "198.51.100.7")
        assert_redirects(response, to="/account/login/code")
        code = owner.post(
            "/account/login/code",
            data={"code": current_code()},
            environ_base={"REMOTE_ADDR": "198.51.100.7"},
        )
        assert_redirects(code, to="/vgt-2014/organiser/registrations")


class TestDelayPerAddressAndAccount:
    @pytest.fixture
    def app_settings(self):
        return {
            "LOGIN_RATE_LIMIT": "100 per minute",
            "LOGIN_GUESS_LIMIT": "3 per minute;6 per hour",
        }

    def test_the_wait_grows_with_the_failures(self, client, delegate):
        with freeze_time(a_whole_second_now()) as clock:
            for _ in range(3):
                assert log_in(client, delegate.email, WRONG, "203.0.113.9").status_code == 400
            first = log_in(client, delegate.email, WRONG, "203.0.113.9")
            assert first.status_code == 429 and int(first.headers["Retry-After"]) <= 61
            clock.tick(61)
            for _ in range(2):  # the refused try counted too: six in the hour
                assert log_in(client, delegate.email, WRONG, "203.0.113.9").status_code == 400
            longer = log_in(client, delegate.email, WRONG, "203.0.113.9")
            assert longer.status_code == 429 and int(longer.headers["Retry-After"]) > 61

    def test_the_wait_holds_only_that_address_for_that_account(self, app, client, delegate):
        for _ in range(4):
            log_in(client, delegate.email, WRONG, "203.0.113.9")
        assert log_in(client, "someone@police.example", WRONG, "203.0.113.9").status_code == 400
        owner = app.test_client()
        response = log_in(owner, delegate.email, PASSWORD, "198.51.100.7")
        assert_redirects(response, to="/account/")


class TestAlarm:
    @pytest.fixture
    def app_settings(self):
        return {"LOGIN_ALARM_LIMIT": "5 per hour"}

    def test_many_failures_across_addresses_tell_the_owner_and_lock_nobody_out(
        self, app, client, delegate
    ):
        for number in range(12):
            response = log_in(client, delegate.email, WRONG, f"192.0.2.{number}")
            assert response.status_code == 400
        alarms = db.session.scalars(
            sa.select(OutboxEmail).where(OutboxEmail.recipient == delegate.email)
        ).all()
        assert len(alarms) == 1, "told once, not at every failure"
        assert "Someone is trying to log in" in alarms[0].subject
        assert "http://localhost/account/reset" in alarms[0].body_text
        entry = db.session.scalars(
            sa.select(AuditEntry).where(AuditEntry.action == "user.login_alarm")
        ).one()
        assert (entry.object_type, entry.object_id, entry.actor_id) == ("user", delegate.id, None)
        response = AuthActions(app.test_client()).login(delegate.email)
        assert_redirects(response, to="/account/")


class TestOnRedis:
    """Two app instances share the counts: the wait and the alarm hold across them."""

    @pytest.fixture
    def app_settings(self):
        if not redis_available():
            if os.environ.get("CI") == "true":
                pytest.fail("Redis must run at 127.0.0.1:6379 in CI")
            pytest.skip("no Redis at 127.0.0.1:6379")
        return {
            "LOGIN_GUESS_LIMIT": "2 per minute",
            "LOGIN_ALARM_LIMIT": "2 per hour",
            "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379",
            "RATELIMIT_KEY_PREFIX": f"test-{uuid.uuid4().hex}",
        }

    def test_a_second_instance_sees_the_failures_made_on_the_first(self, app, delegate):
        first = app.test_client()
        for _ in range(2):
            log_in(first, delegate.email, WRONG, "203.0.113.5")
        second_instance = create_app({**app.config, "SQLALCHEMY_ENGINE_OPTIONS": {}})
        second = second_instance.test_client()
        try:
            assert log_in(second, delegate.email, PASSWORD, "203.0.113.5").status_code == 429
            assert log_in(second, delegate.email, WRONG, "198.51.100.5").status_code == 400
        finally:
            with second_instance.app_context():
                db.engine.dispose()
        alarms = sa.select(sa.func.count()).where(AuditEntry.action == "user.login_alarm")
        assert db.session.scalar(alarms) == 1
