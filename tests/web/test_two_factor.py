"""Two-factor log-in: enrolment by QR code, codes that work once, recovery codes, sessions."""

import html
import re
from urllib.parse import unquote

import pyotp
import pytest
import sqlalchemy as sa

from conference.extensions import db
from conference.models import User
from tests.client import AuthActions, assert_redirects, log_in_first
from tests.factories import PASSWORD, current_code, make_organiser


@pytest.fixture
def newcomer(event):
    """An organiser who has not yet turned two-factor log-in on."""
    member = make_organiser(event, "newcomer@politie.example")
    member.totp_secret = member.totp_enabled_at = None
    db.session.commit()
    return member


def the_key(page: str) -> str:
    """The key to type into an authenticator app, as the setup page shows it."""
    return re.search(r'<code class="fs-6 user-select-all">([A-Z2-7 ]+)</code>', page)[1]


def recovery_codes(page: str) -> list[str]:
    return re.findall(r'<code class="fs-6">([a-z0-9-]+)</code>', page)


def turn_on_two_factor(client, auth, user) -> str:
    """Log in, open the setup page and confirm with a code from the app: the codes page."""
    auth.login(user.email)
    secret = the_key(client.get("/account/two-factor").text).replace(" ", "")
    return client.post("/account/two-factor", data={"code": pyotp.TOTP(secret).now()}).text


def password_step(client, email):
    return client.post("/account/login", data={"email": email, "password": PASSWORD})


def test_an_organiser_enrols_by_scanning_our_qr_code(client, auth, newcomer):
    auth.login(newcomer.email)
    response = client.get("/vgt-2014/organiser/registrations")
    assert_redirects(response, to="/account/two-factor?next=/vgt-2014/organiser/registrations")
    setup = client.get(response.headers["Location"])
    assert 'src="/account/two-factor/qr.svg"' in setup.text
    secret = the_key(setup.text).replace(" ", "")
    qr = client.get("/account/two-factor/qr.svg")
    assert qr.mimetype == "image/svg+xml"
    assert qr.text.startswith("<svg") and 'xmlns="http://www.w3.org/2000/svg"' in qr.text

    wrong = client.post(response.headers["Location"], data={"code": "000000"})
    assert wrong.status_code == 400 and "does not match" in wrong.text

    done = client.post(response.headers["Location"], data={"code": pyotp.TOTP(secret).now()})
    codes = re.findall(r'<code class="fs-6">([a-z0-9-]+)</code>', done.text)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert 'href="/vgt-2014/organiser/registrations"' in done.text
    assert client.get("/vgt-2014/organiser/registrations").status_code == 200
    user = db.session.get(User, newcomer.id)
    assert user.has_two_factor
    assert all(code not in (r.code_hash for r in user.recovery_codes) for code in codes)


def test_the_key_is_shown_in_groups_of_four(client, auth, newcomer):
    auth.login(newcomer.email)
    key = the_key(client.get("/account/two-factor").text)
    secret = key.replace(" ", "")
    assert key.split(" ") == [secret[i : i + 4] for i in range(0, len(secret), 4)]
    assert re.fullmatch(r"[A-Z2-7]{32}", secret), "a base32 key of 160 bits"


def test_the_recovery_codes_download_as_a_text_file_kept_nowhere(client, auth, newcomer):
    page = turn_on_two_factor(client, auth, newcomer)
    codes = recovery_codes(page)
    link = re.search(
        r'<a [^>]*download="([^"]+)"[^>]*href="data:text/plain;charset=utf-8,([^"]*)"', page
    )
    assert link[1] == "vgt-conference-recovery-codes.txt"
    text = unquote(html.unescape(link[2]))
    assert "VGT Conference: recovery codes for newcomer@politie.example" in text
    assert [line for line in text.splitlines() if line in codes] == codes
    # The file is made from the page itself: no later request could fetch the codes again.
    with client.session_transaction() as session:
        assert not any(code in repr(dict(session)) for code in codes)


def test_the_recovery_codes_page_offers_copy_and_print(client, auth, newcomer):
    page = turn_on_two_factor(client, auth, newcomer)
    assert '<ul id="recovery-codes"' in page
    assert re.search(r'<button type="button"[^>]*data-copy-target="recovery-codes"', page)
    assert re.search(r'<button type="button"[^>]*data-print', page)
    assert "<script>" not in page and "onclick" not in page


def test_log_in_asks_for_the_code_after_the_password(client, organiser):
    assert_redirects(password_step(client, organiser.email), to="/account/login/code")
    assert_redirects(client.get("/account/"), to=log_in_first("/account/"))  # not yet logged in
    wrong = client.post("/account/login/code", data={"code": "123456"})
    assert wrong.status_code == 400
    right = client.post("/account/login/code", data={"code": current_code()})
    assert_redirects(right, to="/vgt-2014/organiser/registrations")
    assert client.get("/account/").status_code == 200


def test_a_code_in_other_digits_is_wrong_not_a_crash(client, organiser):
    password_step(client, organiser.email)
    response = client.post("/account/login/code", data={"code": "\u0663" * 6})  # Arabic-Indic 3s
    assert response.status_code == 400
    assert "not valid" in response.text


def test_a_code_works_once(app, organiser):
    first, second = app.test_client(), app.test_client()
    code = current_code()
    password_step(first, organiser.email)
    assert_redirects(
        first.post("/account/login/code", data={"code": code}),
        to="/vgt-2014/organiser/registrations",
    )
    password_step(second, organiser.email)
    replay = second.post("/account/login/code", data={"code": code})
    assert replay.status_code == 400
    assert "used already" in replay.text


def test_a_recovery_code_works_once_in_place_of_the_app(client, auth, newcomer):
    recovery = recovery_codes(turn_on_two_factor(client, auth, newcomer))[0]
    auth.logout()

    password_step(client, newcomer.email)
    assert_redirects(
        client.post("/account/login/code", data={"code": recovery}),
        to="/vgt-2014/organiser/registrations",
    )
    auth.logout()
    password_step(client, newcomer.email)
    assert client.post("/account/login/code", data={"code": recovery}).status_code == 400


def test_the_code_step_needs_the_password_step_first(client, organiser):
    response = client.post("/account/login/code", data={"code": current_code()})
    assert_redirects(response, to="/account/login")
    assert_redirects(client.get("/account/"), to=log_in_first("/account/"))


def test_logging_in_starts_a_fresh_session(client, auth, delegate):
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
    auth.login()
    with client.session_transaction() as session:
        assert "planted" not in session


def test_ending_all_sessions_logs_out_every_device(app, auth, organiser):
    laptop = app.test_client()
    auth.login(organiser.email)  # the fixture's client: the phone

    AuthActions(laptop).login(organiser.email)
    assert laptop.get("/account/").status_code == 200
    status = auth.client.get("/account/two-factor")
    assert "Log out everywhere" in status.text
    auth.client.post("/account/sessions/end")
    assert_redirects(laptop.get("/account/"), to=log_in_first("/account/"))
    assert_redirects(auth.client.get("/account/"), to=log_in_first("/account/"))


def test_the_key_is_kept_on_the_user_only_once_confirmed(client, auth, newcomer):
    auth.login(newcomer.email)
    client.get("/account/two-factor")
    user = db.session.get(User, newcomer.id)
    assert user.totp_secret is None and not user.has_two_factor


def test_a_key_seen_in_another_session_before_enrolment_is_worth_nothing(app, auth, newcomer):
    """Someone who knows the password opens the setup page and notes its key; the owner, who
    enrols later in their own browser, is shown another one, and the noted key's codes fail."""
    intruder = AuthActions(app.test_client())
    intruder.login(newcomer.email)
    noted = the_key(intruder.client.get("/account/two-factor").text).replace(" ", "")
    intruder.logout()

    auth.login(newcomer.email)
    shown = the_key(auth.client.get("/account/two-factor").text).replace(" ", "")
    assert shown != noted
    refused = auth.client.post("/account/two-factor", data={"code": pyotp.TOTP(noted).now()})
    assert refused.status_code == 400
    auth.client.post("/account/two-factor", data={"code": pyotp.TOTP(shown).now()})
    auth.logout()

    response = password_step(auth.client, newcomer.email)
    assert_redirects(response, to="/account/login/code")
    wrong = auth.client.post("/account/login/code", data={"code": pyotp.TOTP(noted).now()})
    assert wrong.status_code == 400
    assert db.session.get(User, newcomer.id).totp_secret == shown


def test_the_key_stays_the_same_through_a_wrong_code_in_one_session(client, auth, newcomer):
    auth.login(newcomer.email)
    first = the_key(client.get("/account/two-factor").text)
    again = client.post("/account/two-factor", data={"code": "000000"})
    assert again.status_code == 400 and the_key(again.text) == first
    assert the_key(client.get("/account/two-factor").text) == first


class TestCodeGuessing:
    @pytest.fixture
    def app_settings(self):
        return {"LOGIN_RATE_LIMIT": "3 per minute"}

    def test_guessing_codes_is_rate_limited(self, client, organiser):
        password_step(client, organiser.email)
        answers = [
            client.post(
                "/account/login/code",
                data={"code": f"{n:06d}"},
                environ_base={"REMOTE_ADDR": f"10.9.0.{n}"},
            ).status_code
            for n in range(4)
        ]
        assert answers == [400, 400, 400, 429]
        assert (
            db.session.scalar(sa.select(User.totp_last_step).where(User.id == organiser.id)) is None
        )


def test_the_account_page_says_whether_two_factor_is_on(client, auth, organiser, delegate):
    def two_factor_row(page: str) -> list[str]:
        """The words of the account page's two-factor row, after its heading."""
        words = re.sub(r"<[^>]+>", " ", page.partition('id="account-heading"')[2])
        return words.partition("Two-factor log-in")[2].split()

    auth.login(organiser.email)
    assert two_factor_row(client.get("/account/").text)[:2] == ["On", "Manage"]
    auth.logout()
    auth.login(delegate.email)
    assert two_factor_row(client.get("/account/").text)[:3] == ["Off", "Turn", "on"]
