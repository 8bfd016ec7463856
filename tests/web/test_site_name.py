"""The site's name, one setting, on every account page: in the title, the header and the footer."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from conference.config import settings_from_environment
from conference.extensions import db
from conference.models import User
from conference.services.people import two_factor
from tests.factories import PASSWORD

ACCOUNT_PAGES_LOGGED_OUT = ["/account/login", "/account/signup", "/account/reset"]
ACCOUNT_PAGES_LOGGED_IN = ["/account/", "/account/two-factor"]


def title(page: str) -> str:
    return re.search(r"<title>(.*?)</title>", page, re.DOTALL).group(1).strip()


def brand(page: str) -> str:
    return re.search(r'class="navbar-brand[^"]*"[^>]*>(.*?)</a>', page, re.DOTALL).group(1).strip()


def test_the_account_pages_carry_the_site_name(client, auth, delegate):
    pages = [client.get(path).text for path in ACCOUNT_PAGES_LOGGED_OUT]
    auth.login()
    pages += [client.get(path).text for path in ACCOUNT_PAGES_LOGGED_IN]
    for page in pages:
        assert title(page).endswith(" · VGT Conference"), title(page)
        assert brand(page) == "VGT Conference"
        assert "<span>VGT Conference</span>" in page  # the footer
        assert ">Conference<" not in page


def test_the_two_factor_pages_carry_the_site_name(client, auth, organiser):
    response = client.post("/account/login", data={"email": organiser.email, "password": PASSWORD})
    code_page = client.get(response.headers["Location"]).text
    assert title(code_page) == "Two-factor log-in · VGT Conference"


def test_the_authenticator_app_names_the_site(app, delegate):
    uri = two_factor.provisioning_uri(delegate, two_factor.new_secret())
    assert parse_qs(urlsplit(uri).query)["issuer"] == ["VGT Conference"]


class TestAnotherSiteName:
    @pytest.fixture
    def app_settings(self):
        return {"SITE_NAME": "Politie Conferences"}

    def test_the_setting_names_every_account_page(self, client, auth, delegate):
        page = client.get("/account/login").text
        assert title(page) == "Log in · Politie Conferences"
        assert brand(page) == "Politie Conferences"
        auth.login()
        assert title(client.get("/account/").text) == "Your account · Politie Conferences"
        user = db.session.get(User, delegate.id)
        uri = two_factor.provisioning_uri(user, two_factor.new_secret())
        assert "issuer=Politie%20Conferences" in uri


def test_the_site_name_comes_from_the_environment_and_names_the_sender(monkeypatch, tmp_path):
    monkeypatch.setenv("SITE_NAME", "Politie Conferences")
    monkeypatch.delenv("MAIL_DEFAULT_SENDER", raising=False)
    settings = settings_from_environment(str(tmp_path))
    assert settings["SITE_NAME"] == "Politie Conferences"
    assert settings["MAIL_DEFAULT_SENDER"] == "Politie Conferences <conference@localhost>"


def test_the_demo_site_is_called_vgt_conference(monkeypatch, tmp_path):
    monkeypatch.delenv("SITE_NAME", raising=False)
    monkeypatch.delenv("MAIL_DEFAULT_SENDER", raising=False)
    settings = settings_from_environment(str(tmp_path))
    assert settings["SITE_NAME"] == "VGT Conference"
    assert settings["MAIL_DEFAULT_SENDER"] == "VGT Conference <conference@localhost>"
