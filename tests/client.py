"""How the tests reach the app: a test client whose requests are as separate as a real server's,
the live server's address, logging in the way a person does, and where a redirect sends them."""

import contextvars
import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit

import sqlalchemy as sa
from flask import Flask, has_app_context
from flask.testing import FlaskClient

from conference.extensions import db
from conference.models import User
from tests.factories import PASSWORD, current_code


class IsolatedClient(FlaskClient):
    """A test client whose every request gets its own app context, as in a real server.

    Flask would otherwise reuse the test's app context, and with it `g` (the logged-in user)
    and the database session. Afterwards the test's own session forgets what it had loaded, so
    it reads what the request committed.
    """

    def open(self, *args, **kwargs):
        response = contextvars.Context().run(super().open, *args, **kwargs)
        if has_app_context():
            db.session.expire_all()
        return response


@dataclass
class LiveServer:
    app: Flask
    url: str


def csrf_token(page: str) -> str | None:
    """The CSRF token of the page's (first) form; None when the app runs without them."""
    found = re.search(r'name="csrf_token"[^>]*? value="([^"]+)"', page)
    return found and found.group(1)


# "Found" and "See other": Flask 3.1 answers a form with the first, Flask 3.2 with the second.
REDIRECT_CODES = {302, 303}


def _as_a_browser_reads_it(url: str) -> tuple:
    """A URL with its query decoded, so that `next=%2Fx` and `next=/x` are the same place."""
    parts = urlsplit(url)
    return parts.scheme, parts.netloc, parts.path, parse_qsl(parts.query), parts.fragment


def redirects_to(response, to: str) -> bool:
    """The answer is a redirect, whatever its code, to `to`: a path on this site with its query."""
    if response.status_code not in REDIRECT_CODES:
        return False
    return _as_a_browser_reads_it(response.headers["Location"]) == _as_a_browser_reads_it(to)


def assert_redirects(response, *, to: str) -> None:
    assert response.status_code in REDIRECT_CODES, f"{response.status_code}, not a redirect"
    location = response.headers["Location"]
    assert redirects_to(response, to), f"redirects to {location}, not to {to}"


def log_in_first(path: str) -> str:
    """Where someone who is not logged in is sent on their way to `path`: the log-in form, which
    brings them back to `path` afterwards."""
    return "/account/login?" + urlencode({"next": path})


class AuthActions:
    """Logs in the way a person does: through the login form, and the code form after it.

    Each form is opened first, so that its CSRF token goes with it when protection is on.
    """

    def __init__(self, client):
        self.client = client

    def _submit(self, path: str, **data):
        token = csrf_token(self.client.get(path).text)
        return self.client.post(path, data={**data, **({"csrf_token": token} if token else {})})

    def login(self, email="delegate@police.example", password=PASSWORD):
        response = self._submit("/account/login", email=email, password=password)
        if response.headers.get("Location") != "/account/login/code":
            return response
        # A code works once: stand in for the half minute a person waits for the next one.
        db.session.execute(sa.update(User).where(User.email == email).values(totp_last_step=None))
        db.session.commit()
        return self._submit("/account/login/code", code=current_code())

    def logout(self):
        token = csrf_token(self.client.get("/account/").text)  # the menu's log-out form
        return self.client.post("/account/logout", data={"csrf_token": token} if token else {})
