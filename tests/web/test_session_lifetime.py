"""A session ends after a while idle and after its lifetime, team members' sooner; on a pinned
clock that the tests move on."""

from datetime import UTC, datetime, timedelta

import pytest
from freezegun import freeze_time

from tests.client import log_in_first

ACCOUNT = "/account/"
LOG_IN_AGAIN = log_in_first(ACCOUNT)


@pytest.fixture
def clock():
    with freeze_time(datetime.now(UTC).replace(microsecond=0)) as frozen:
        yield frozen


def still_logged_in(client) -> bool:
    response = client.get(ACCOUNT)
    if response.status_code == 200:
        return True
    assert response.headers["Location"] == LOG_IN_AGAIN
    return False


def test_a_delegates_session_ends_after_two_idle_hours(client, auth, delegate, clock):
    auth.login(delegate.email)
    clock.tick(timedelta(minutes=119))
    assert still_logged_in(client)  # and this request starts the idle time again
    clock.tick(timedelta(minutes=119))
    assert still_logged_in(client)
    clock.tick(timedelta(minutes=121))
    assert not still_logged_in(client)
    page = client.get("/account/login").text
    assert "Your session has ended" in page


def test_a_busy_session_ends_after_its_lifetime(client, auth, delegate, clock):
    auth.login(delegate.email)
    for _ in range(71):
        clock.tick(timedelta(hours=1))
        assert still_logged_in(client)
    clock.tick(timedelta(minutes=61))
    assert not still_logged_in(client)
    auth.login(delegate.email)  # a new log-in starts a new lifetime
    assert still_logged_in(client)


def test_a_team_members_session_ends_sooner(client, auth, organiser, clock):
    auth.login(organiser.email)
    clock.tick(timedelta(minutes=29))
    assert still_logged_in(client)
    clock.tick(timedelta(minutes=31))
    assert not still_logged_in(client)


def test_a_team_members_busy_session_ends_after_twelve_hours(client, auth, organiser, clock):
    auth.login(organiser.email)
    for _ in range(11 * 4):
        clock.tick(timedelta(minutes=15))
        assert still_logged_in(client)
    clock.tick(timedelta(minutes=61))
    assert not still_logged_in(client)


class TestConfigured:
    @pytest.fixture
    def app_settings(self):
        return {"SESSION_IDLE_MINUTES": 5, "SESSION_LIFETIME_HOURS": 1}

    def test_the_limits_are_settings(self, client, auth, delegate, clock):
        auth.login(delegate.email)
        clock.tick(timedelta(minutes=4))
        assert still_logged_in(client)
        clock.tick(timedelta(minutes=6))
        assert not still_logged_in(client)
