"""Security headers, cookies, and error pages that never show a trace."""

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import OperationalError

from conference import create_app
from conference.errors import _database_busy
from conference.extensions import db
from conference.models import OutboxEmail, User
from conference.security import safe_next_url


def test_every_page_sends_the_security_headers(client, event):
    response = client.get("/vgt-2014/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Cache-Control"] == "no-store"


def test_pages_have_no_inline_scripts_or_styles(client, upcoming_event, organiser, auth):
    auth.login(organiser.email)
    for path in [
        "/vgt-2014/",
        "/account/",
        "/vgt-2014/organiser/registrations",
        "/vgt-2014/register",
    ]:
        page = client.get(path).text
        assert "<script>" not in page and "style=" not in page and "onclick" not in page, path


def test_error_pages_are_clear_and_html(client, app):
    response = client.get("/no/such/page/here")
    assert response.status_code == 404
    assert "There is no page at this address." in response.text


def test_api_clients_get_json_errors(client, app):
    response = client.get("/no/such/page", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.json == {"error": "There is no page at this address.", "status": 404}


def test_production_requires_a_secret_key(monkeypatch, tmp_path):
    monkeypatch.setenv("CONFERENCE_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db"})


def test_production_refuses_the_cheap_password_hashing_of_the_tests(monkeypatch, tmp_path):
    monkeypatch.setenv("CONFERENCE_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "a real secret for this test")
    with pytest.raises(RuntimeError, match="PASSWORD_HASH_PROFILE"):
        create_app(
            {
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db",
                "PASSWORD_HASH_PROFILE": "CHEAPEST",
            }
        )


def test_production_cookies_are_secure(monkeypatch, tmp_path):
    monkeypatch.setenv("CONFERENCE_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "a real secret for this test")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/x.db")
    app = create_app()
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]
    assert app.config["SESSION_COOKIE_HTTPONLY"]
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    response = app.test_client().get("/account/login")
    assert "Strict-Transport-Security" in response.headers


def test_development_cookies_work_over_plain_http(monkeypatch, tmp_path):
    monkeypatch.delenv("CONFERENCE_ENV", raising=False)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/x.db")
    assert create_app().config["SESSION_COOKIE_SECURE"] is False


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example",
        "//evil.example",
        "/\\evil.example",
        "javascript:alert(1)",
        "http:/evil.example",
        "/ok\r\nSet-Cookie: x=1",
        "",
        None,
        "relative/path",
    ],
)
def test_unsafe_next_targets_are_dropped(target):
    assert safe_next_url(target) is None


def test_a_path_on_our_site_is_a_safe_next_target():
    assert safe_next_url("/vgt-2014/register?x=1") == "/vgt-2014/register?x=1"


def test_email_links_ignore_the_host_header(client, delegate):
    """A forged Host header must not put an attacker's site into a reset link."""

    client.post("/account/reset", data={"email": delegate.email}, headers={"Host": "evil.example"})
    body = db.session.scalar(sa.select(OutboxEmail.body_text))
    assert "http://localhost/account/reset/" in body
    assert "evil.example" not in body


class TestNoFreeDatabaseConnection:
    @pytest.fixture
    def app_settings(self):
        return {
            "SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": 1, "max_overflow": 0, "pool_timeout": 0.2}
        }

    def test_a_request_that_finds_no_free_connection_is_told_to_retry(self, client, event):
        with db.engine.connect():  # holds the pool's only connection
            response = client.get("/vgt-2014/")
        assert response.status_code == 503
        assert "busy" in response.text


def test_database_errors_do_not_carry_participants_data(app, delegate, caplog):
    def save_a_copy():
        db.session.add(User(email=delegate.email, name="Copy", password_hash="x"))
        db.session.commit()

    app.add_url_rule("/test-only/duplicate", view_func=save_a_copy)
    response = app.test_client().get("/test-only/duplicate")
    assert response.status_code == 409
    assert "Reload the page" in response.text
    assert "conflict" in caplog.text
    assert delegate.email not in caplog.text


class TestBehindAReverseProxy:
    @pytest.fixture
    def app_settings(self):
        return {"PROXY_FIX_HOPS": 1, "LOGIN_RATE_LIMIT": "2 per minute"}

    def test_the_rate_limit_counts_the_client_the_proxy_names(self, client, delegate):
        def attempt(client_address, email):
            return client.post(
                "/account/login",
                data={"email": email, "password": "wrong but long"},
                headers={"X-Forwarded-For": client_address},
            ).status_code

        assert [attempt("198.51.100.1", f"x{n}@police.example") for n in range(3)] == [
            400,
            400,
            429,
        ]
        # Another delegate behind the same proxy is not locked out with the first.
        assert attempt("198.51.100.2", "y@police.example") == 400


@pytest.mark.parametrize("sqlstate", ["55P03", "40P01"])
def test_a_lock_timeout_or_a_broken_deadlock_is_busy_not_a_crash(sqlstate):
    """PostgreSQL gave up waiting for a lock, or aborted this side of a deadlock: a 503 to retry."""

    class Refusal(Exception):
        pass

    refusal = Refusal("deadlock detected" if sqlstate == "40P01" else "lock timeout")
    refusal.sqlstate = sqlstate
    assert _database_busy(OperationalError("UPDATE ...", {}, refusal))
