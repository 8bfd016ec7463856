"""Accounts through the web forms."""

import os
import re
import socket
import uuid
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from freezegun import freeze_time

from conference import create_app
from conference.extensions import db
from conference.models import OutboxEmail, User
from tests.client import assert_redirects, log_in_first
from tests.factories import PASSWORD, make_user, register


def link_in_last_email(address: str, fragment: str) -> str:
    body = db.session.scalars(
        sa.select(OutboxEmail.body_text)
        .where(OutboxEmail.recipient == address)
        .order_by(OutboxEmail.id.desc())
    ).first()
    url = re.search(r"https?://\S*" + re.escape(fragment) + r"\S*", body).group(0)
    return url.removeprefix("http://localhost")


def sign_up(client, email="anna@police.example", password=PASSWORD, name="Anna Agent"):
    return client.post("/account/signup", data={"name": name, "email": email, "password": password})


def test_sign_up_verify_and_log_in(client, app):
    response = sign_up(client)
    assert response.status_code == 200
    assert "Check your inbox" in response.text

    response = client.post(
        "/account/login", data={"email": "anna@police.example", "password": PASSWORD}
    )
    assert "verify your email address first" in response.text

    response = client.get(link_in_last_email("anna@police.example", "/account/verify/"))
    assert_redirects(response, to="/account/login")

    response = client.post(
        "/account/login", data={"email": "anna@police.example", "password": PASSWORD}
    )
    assert_redirects(response, to="/account/")
    assert "Hello, Anna Agent" in client.get("/account/").text


def test_sign_up_answers_the_same_whether_or_not_the_address_has_an_account(client, app):
    make_user("anna@police.example")
    db.session.commit()
    known = sign_up(client, email="anna@police.example")
    unknown = sign_up(client, email="ben@police.example")
    assert known.status_code == unknown.status_code == 200
    assert known.text.replace("anna@", "X@") == unknown.text.replace("ben@", "X@")


def test_a_short_password_is_refused_beside_the_field(client, app):
    response = sign_up(client, password="short pass")
    assert response.status_code == 400
    assert re.search(r'id="password-error">Use at least 12 characters', response.text)
    assert 'class="form-control is-invalid"' in response.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


def test_any_password_of_twelve_characters_is_accepted(client, app):
    assert "Check your inbox" in sign_up(client, password="aaaaaaaaaaaa").text


def test_a_broken_verification_link_says_so(client, app):
    response = client.get("/account/verify/not-a-token")
    assert response.status_code == 400
    assert "not valid" in response.text


def test_wrong_password_gets_a_message_and_no_session(client, delegate):
    response = client.post(
        "/account/login", data={"email": delegate.email, "password": "wrong but long"}
    )
    assert response.status_code == 400
    assert "do not match" in response.text
    assert_redirects(client.get("/account/"), to=log_in_first("/account/"))


def test_log_out_ends_the_session(client, auth, delegate):
    auth.login()
    assert client.get("/account/").status_code == 200
    auth.logout()
    assert_redirects(client.get("/account/"), to=log_in_first("/account/"))


def test_logging_out_needs_a_post(client, auth, delegate):
    auth.login()
    assert client.get("/account/logout").status_code == 405


@pytest.mark.parametrize(
    "next_url, expected",
    [
        ("/vgt-2014/register", "/vgt-2014/register"),
        ("https://evil.example/phish", "/account/"),
        ("//evil.example/phish", "/account/"),
        ("/\\evil.example", "/account/"),
        ("javascript:alert(1)", "/account/"),
    ],
)
def test_next_only_redirects_within_our_site(client, delegate, next_url, expected):
    response = client.post(
        "/account/login",
        query_string={"next": next_url},
        data={"email": delegate.email, "password": PASSWORD},
    )
    assert_redirects(response, to=expected)


def test_password_reset_by_email(client, delegate):
    response = client.post("/account/reset", data={"email": delegate.email})
    assert "If <strong>delegate@police.example</strong> belongs to an account" in response.text
    link = link_in_last_email(delegate.email, "/account/reset/")
    response = client.post(
        link, data={"password": "my new long password", "confirm": "my new long password"}
    )
    assert_redirects(response, to="/account/login")
    response = client.post(
        "/account/login", data={"email": delegate.email, "password": "my new long password"}
    )
    assert_redirects(response, to="/account/")
    assert client.get(link).status_code == 400, "a reset link works once"


def test_the_inbox_page_after_a_reset_request_speaks_of_the_reset_link(client, delegate):
    page = client.post("/account/reset", data={"email": delegate.email}).text
    assert "verification" not in page
    assert "ask for a new reset link" in page
    assert 'href="/account/reset"' in page


def test_the_inbox_page_after_sign_up_speaks_of_the_verification_link(client, app):
    page = sign_up(client).text
    assert "to have a new verification link sent" in page
    assert "reset link" not in page


def test_password_reset_answers_the_same_for_an_unknown_address(client, delegate):
    known = client.post("/account/reset", data={"email": delegate.email})
    unknown = client.post("/account/reset", data={"email": "nobody@police.example"})
    assert known.text.replace(delegate.email, "X") == unknown.text.replace(
        "nobody@police.example", "X"
    )
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxEmail)) == 2, (
        "one email each"
    )


def test_mismatched_new_passwords_are_refused(client, delegate):
    client.post("/account/reset", data={"email": delegate.email})
    link = link_in_last_email(delegate.email, "/account/reset/")
    response = client.post(
        link, data={"password": "my new long password", "confirm": "something else entirely"}
    )
    assert response.status_code == 400
    assert "The two passwords differ." in response.text


def a_whole_second_now() -> datetime:
    """The clock to freeze for counting seconds to the limit's end: now, as the rate limiter's
    own clean-up thread (which freezegun leaves on the real clock) must not see its counts as
    long expired."""
    return datetime.now(UTC).replace(microsecond=0)


class TestLoginRateLimit:
    @pytest.fixture
    def app_settings(self):
        return {"LOGIN_RATE_LIMIT": "3 per minute"}

    def test_too_many_attempts_are_refused_with_429(self, client, delegate):
        for _ in range(3):
            response = client.post(
                "/account/login", data={"email": delegate.email, "password": "wrong but long"}
            )
            assert response.status_code == 400
        response = client.post(
            "/account/login", data={"email": delegate.email, "password": PASSWORD}
        )
        assert response.status_code == 429
        assert "Too many attempts" in response.text

    def test_the_refusal_is_a_page_that_says_when_to_try_again(self, client, delegate):
        with freeze_time(a_whole_second_now()) as clock:
            for _ in range(3):
                client.post("/account/login", data={"email": delegate.email, "password": "wrong!!"})
            clock.tick(18)
            response = client.post(
                "/account/login", data={"email": delegate.email, "password": PASSWORD}
            )
        assert response.status_code == 429
        # 42 seconds to the end of the minute, and the limiter's second of margin.
        assert response.headers["Retry-After"] == "43"
        page = response.text
        assert "<title>Too many attempts · VGT Conference</title>" in page
        assert 'class="navbar-brand' in page, "in the site's layout"
        assert "Try again in 43 seconds." in page
        assert 'href="/account/reset"' in page

    def test_api_clients_are_told_in_json(self, client, delegate):
        with freeze_time(a_whole_second_now()):
            for _ in range(4):
                response = client.post(
                    "/account/login",
                    data={"email": delegate.email, "password": "wrong!!"},
                    headers={"Accept": "application/json"},
                )
        assert response.status_code == 429
        assert response.headers["Retry-After"] == "61"
        assert response.json == {
            "error": "Too many attempts. Try again in 61 seconds.",
            "status": 429,
            "retry_after": 61,
        }


class TestHourlyLoginLimit:
    @pytest.fixture
    def app_settings(self):
        return {"LOGIN_RATE_LIMIT": "2 per hour"}

    def test_a_long_wait_is_said_in_minutes(self, client, delegate):
        with freeze_time(a_whole_second_now()) as clock:
            for _ in range(2):
                client.post("/account/login", data={"email": delegate.email, "password": "wrong!!"})
            clock.tick(600)
            response = client.post("/account/login", data={"email": delegate.email})
        assert response.status_code == 429
        assert response.headers["Retry-After"] == "3001"
        assert "Try again in 51 minutes." in response.text


def redis_available() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


class TestLoginRateLimitOnRedis:
    """Several app instances share their counts through Redis."""

    @pytest.fixture
    def app_settings(self):
        if not redis_available():
            if os.environ.get("CI") == "true":
                pytest.fail("Redis must run at 127.0.0.1:6379 in CI")
            pytest.skip("no Redis at 127.0.0.1:6379")
        return {
            "LOGIN_RATE_LIMIT": "2 per minute",
            "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379",
            "RATELIMIT_KEY_PREFIX": f"test-{uuid.uuid4().hex}",
        }

    def test_a_second_instance_sees_the_attempts_made_on_the_first(self, app, delegate):
        first = app.test_client()
        for _ in range(2):
            first.post("/account/login", data={"email": delegate.email, "password": "wrong!!!!!!!"})
        second_instance = create_app(
            {**app.config, "SQLALCHEMY_ENGINE_OPTIONS": {}}  # same settings, new process state
        )
        response = second_instance.test_client().post(
            "/account/login", data={"email": delegate.email, "password": PASSWORD}
        )
        assert response.status_code == 429


def test_where_they_were_going_survives_sign_up_and_verification(client, event):
    login_page = client.get("/account/login?next=/vgt-2014/register").text
    assert 'href="/account/signup?next=/vgt-2014/register"' in login_page
    client.post(  # the sign-up form posts back to its own address, query string included
        "/account/signup?next=/vgt-2014/register",
        data={"name": "Anna", "email": "anna@police.example", "password": PASSWORD},
    )
    verified = client.get(link_in_last_email("anna@police.example", "/account/verify/"))
    assert_redirects(verified, to=log_in_first("/vgt-2014/register"))
    response = client.post(
        verified.headers["Location"], data={"email": "anna@police.example", "password": PASSWORD}
    )
    assert_redirects(response, to="/vgt-2014/register")


def test_without_next_an_organiser_lands_in_the_back_office(client, auth, event, organiser):
    assert_redirects(auth.login(organiser.email), to="/vgt-2014/organiser/registrations")


def test_without_next_a_delegate_lands_on_the_event_or_their_registration(client, auth, event):
    make_user("anna@police.example")
    db.session.commit()
    assert_redirects(auth.login("anna@police.example"), to="/vgt-2014/")
    auth.logout()
    register(event, "ben@police.example")
    db.session.commit()
    assert_redirects(auth.login("ben@police.example"), to="/vgt-2014/registration")


def test_a_name_with_a_web_address_is_refused(client, app):
    response = sign_up(client, name="Re-verify at https://evil.example/login")
    assert response.status_code == 400
    assert "A name cannot contain a web address." in response.text


def test_the_verification_email_does_not_repeat_what_the_sign_up_typed(client, app):
    """Whoever signs up with someone else's address cannot put words into our email to them."""
    sign_up(client, name="Anna Agent")
    body = db.session.scalar(sa.select(OutboxEmail.body_text))
    assert "Anna Agent" not in body


def test_log_out_clears_the_session(client, auth, delegate):
    auth.login()
    with client.session_transaction() as session:
        session["next_after_verification"] = "/somewhere"
    auth.logout()
    with client.session_transaction() as session:
        assert "_user_id" not in session and "next_after_verification" not in session


class TestFailedLoginsPerAddress:
    @pytest.fixture
    def app_settings(self):
        return {"LOGIN_RATE_LIMIT": "2 per minute;1000 per hour"}

    def test_only_failed_attempts_count_against_an_address(self, client, auth, delegate):
        for number in range(3):  # three good log-ins from three addresses: none refused
            response = client.post(
                "/account/login",
                data={"email": delegate.email, "password": PASSWORD},
                environ_base={"REMOTE_ADDR": f"10.0.1.{number}"},
            )
            assert_redirects(response, to="/account/")
            auth.logout()

    def test_a_good_log_in_does_not_count_whatever_its_redirect_code(
        self, app, client, auth, delegate, monkeypatch
    ):
        see_other = app.redirect
        # Flask 3.2 answers a redirect with 303 See Other where Flask 3.1 says 302 Found.
        monkeypatch.setattr(app, "redirect", lambda location, code=302: see_other(location, 303))
        for number in range(3):
            response = client.post(
                "/account/login",
                data={"email": delegate.email, "password": PASSWORD},
                environ_base={"REMOTE_ADDR": f"10.0.2.{number}"},
            )
            assert response.status_code == 303
            assert_redirects(response, to="/account/")
            auth.logout()

    @pytest.mark.parametrize("app_settings", [{"LOGIN_GUESS_LIMIT": "2 per minute"}])
    def test_failed_attempts_count_against_the_address_and_account(self, app, client, delegate):
        for _ in range(2):
            response = client.post(
                "/account/login",
                data={"email": delegate.email, "password": "not the password at all"},
                environ_base={"REMOTE_ADDR": "10.0.3.1"},
            )
            assert response.status_code == 400 and "do not match" in response.text
        response = client.post(
            "/account/login",
            data={"email": delegate.email, "password": PASSWORD},
            environ_base={"REMOTE_ADDR": "10.0.3.1"},
        )
        assert response.status_code == 429
        assert_redirects(client.get("/account/"), to=log_in_first("/account/"))


@pytest.mark.parametrize("has_account", [True, False])
def test_a_flood_of_reset_requests_sends_one_mailbox_a_few_links(client, delegate, has_account):
    """50 requests from five addresses, as the review sent: three emails, and 50 pages alike
    that tell nothing of whether the address has an account."""
    email = delegate.email if has_account else "nobody@police.example"
    pages = {
        client.post(
            "/account/reset",
            data={"email": email},
            environ_base={"REMOTE_ADDR": f"10.0.5.{number % 5}"},
        ).text
        for number in range(50)
    }
    assert len(pages) == 1 and "Check your inbox" in pages.pop()
    queued = sa.select(sa.func.count()).where(OutboxEmail.recipient == email)
    assert db.session.scalar(queued) == 3
