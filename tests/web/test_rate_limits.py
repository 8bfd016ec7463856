"""Everything a guesser could try over and over is rate-limited: log-in, two-factor and recovery
codes, sign-up, password reset, invitation codes and the letter check; and the counts are
shared by every app instance through Redis."""

import os
import uuid

import pytest
import redis

from conference.extensions import db
from tests.environment import create_app_for_tests
from tests.factories import PASSWORD, make_organiser, make_user

LIMIT = "3 per minute"
LIMITED = {
    "LOGIN_RATE_LIMIT": LIMIT,
    "INVITATION_CODE_RATE_LIMIT": LIMIT,
    "LETTER_CHECK_RATE_LIMIT": LIMIT,
}


def log_in_a_delegate(client, event):
    make_user("guesser@police.example")
    db.session.commit()
    client.post("/account/login", data={"email": "guesser@police.example", "password": PASSWORD})


def give_the_password_of_a_team_member(client, event):
    """Past the password, at the code form: where a stolen password's owner is still safe."""
    make_organiser(event, "organiser@politie.example")
    db.session.commit()
    client.post("/account/login", data={"email": "organiser@politie.example", "password": PASSWORD})


# Each guess: what comes before the guessing, the method, the address, the form.
GUESSES = {
    "log-in": (None, "POST", "/account/login", {"email": "o@politie.example", "password": "x"}),
    "sign-up": (None, "POST", "/account/signup", {"email": "new@police.example"}),
    "password reset": (None, "POST", "/account/reset", {"email": "o@politie.example"}),
    "two-factor code": (
        give_the_password_of_a_team_member,
        "POST",
        "/account/login/code",
        {"code": "000000"},
    ),
    "recovery code": (
        give_the_password_of_a_team_member,
        "POST",
        "/account/login/code",
        {"code": "abcde-fghij"},
    ),
    "invitation code in the form": (
        log_in_a_delegate,
        "POST",
        "/vgt-2014/register",
        {"invitation_code": "GUESSED-CODE"},
    ),
    "invitation code in the link": (
        log_in_a_delegate,
        "GET",
        "/vgt-2014/register?code=GUESSED-CODE",
        None,
    ),
    "letter check": (None, "POST", "/vgt-2014/verify-letter", {"code": "VGT14-AAAA-BBBB-CCCC"}),
}


class TestEveryGuessableFormIsLimited:
    @pytest.fixture
    def app_settings(self):
        return LIMITED

    @pytest.mark.parametrize("guess", GUESSES)
    def test_the_fourth_guess_in_a_minute_is_refused(self, client, event, guess):
        before, method, url, data = GUESSES[guess]
        if before:
            before(client, event)
        answers = [client.open(url, method=method, data=data).status_code for _ in range(4)]
        assert 429 not in answers[:3] and answers[3] == 429, answers

    def test_invitation_codes_are_limited_per_account_across_addresses(self, client, event):
        log_in_a_delegate(client, event)
        answers = [
            client.get(
                "/vgt-2014/register?code=GUESSED-CODE",
                environ_base={"REMOTE_ADDR": f"192.0.2.{n}"},
            ).status_code
            for n in range(4)
        ]
        assert answers == [200, 200, 200, 429]

    def test_the_registration_form_without_a_code_is_not_counted(self, client, event):
        log_in_a_delegate(client, event)
        answers = {client.get("/vgt-2014/register").status_code for _ in range(6)}
        assert 429 not in answers


# --- shared by every app instance -----------------------------------------------------------


@pytest.fixture
def redis_storage():
    """Redis at 127.0.0.1:6379, and the keys this test made removed afterwards."""
    connection = redis.Redis(host="127.0.0.1", port=6379, socket_connect_timeout=1)
    try:
        connection.ping()
    except redis.exceptions.ConnectionError:
        reason = "the shared rate limit test needs Redis at 127.0.0.1:6379 (apt install redis)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    address = f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"
    yield connection, address
    for key in connection.scan_iter(f"*{address}*"):
        connection.delete(key)
    connection.close()


def test_two_app_instances_share_the_letter_check_limit_on_redis(
    test_database_url, event, redis_storage
):
    """Two apps made by create_app, as two processes behind a load balancer would be, on one
    Redis: guesses alternate between them, and the third one's limit holds across both."""
    connection, address = redis_storage
    settings = {**LIMITED, "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379"}
    instances = [create_app_for_tests(test_database_url, **settings) for _ in range(2)]
    clients = [instance.test_client() for instance in instances]
    answers = []
    for n in range(6):
        response = clients[n % 2].post(
            "/vgt-2014/verify-letter",
            data={"code": "VGT14-AAAA-BBBB-CCCC"},
            environ_base={"REMOTE_ADDR": address},
        )
        answers.append(response.status_code)
    assert answers == [404, 404, 404, 429, 429, 429]
    # The count is Redis's, not a process's: it is there for any other instance to read.
    counted = [int(connection.get(key)) for key in connection.scan_iter(f"*{address}*")]
    assert counted and max(counted) >= 3
    for instance in instances:
        with instance.app_context():
            db.engine.dispose()
