"""Every account changes its own name, email address and password, logged in, through the
account page's forms with CSRF protection on; the emails go through a real SMTP server."""

import re

import pytest
import sqlalchemy as sa

from conference.extensions import db
from conference.models import AuditEntry, User
from tests.client import AuthActions, csrf_token
from tests.factories import PASSWORD, make_user

OLD = "delegate@police.example"
NEW = "dana@europol.example"
NEW_PASSWORD = "a new pass phrase, long enough"


@pytest.fixture
def app_settings(mail_server) -> dict:
    return {"WTF_CSRF_ENABLED": True, **mail_server.settings()}


def send_mail(runner) -> None:
    result = runner.invoke(args=["send-mail"])
    assert result.exit_code == 0, result.output


def submit(client, path: str, **data):
    """Open the form's page, then send it with the page's CSRF token."""
    page = client.get(path)
    assert page.status_code == 200, path
    return client.post(path, data={"csrf_token": csrf_token(page.text), **data})


def actions_on(user: User) -> list[str]:
    return db.session.scalars(
        sa.select(AuditEntry.action)
        .where(AuditEntry.object_type == "user", AuditEntry.object_id == user.id)
        .order_by(AuditEntry.id)
    ).all()


def logged_in(client) -> bool:
    return client.get("/account/").status_code == 200


def can_log_in(app, email: str, password: str = PASSWORD) -> bool:
    return AuthActions(app.test_client()).login(email, password).status_code == 302


# --- the account page -------------------------------------------------------------------------


def test_the_account_page_links_every_change_and_log_out_everywhere(client, auth, delegate):
    auth.login()
    page = client.get("/account/").text
    for path in ["/account/name", "/account/email", "/account/password"]:
        assert f'href="{path}"' in page
    assert 'action="/account/sessions/end"' in page
    assert "Log out everywhere" in page


def test_log_out_everywhere_from_the_account_page_of_a_delegate(app, client, auth, delegate):
    other_device = app.test_client()
    AuthActions(other_device).login()
    auth.login()
    page = client.get("/account/").text
    response = client.post("/account/sessions/end", data={"csrf_token": csrf_token(page)})
    assert response.headers["Location"] == "/account/login"
    assert not logged_in(client) and not logged_in(other_device)


# --- name -------------------------------------------------------------------------------------


def test_a_delegate_changes_their_name(client, auth, delegate):
    auth.login()
    response = submit(client, "/account/name", name="  Dana de Vries ")
    assert response.headers["Location"] == "/account/"
    page = client.get("/account/").text
    assert "Your name is now Dana de Vries." in page
    assert "Hello, Dana de Vries" in page
    assert actions_on(delegate)[-1] == "user.changed_name"


@pytest.mark.parametrize(
    "name, message",
    [("", "This field is required."), ("Visit www.evil.example", "cannot contain a web address")],
)
def test_a_bad_name_is_refused_beside_the_field(client, auth, delegate, name, message):
    auth.login()
    response = submit(client, "/account/name", name=name)
    assert response.status_code == 400
    assert message in response.text
    assert db.session.get(User, delegate.id).name == "Dana Delegate"


# --- email address ----------------------------------------------------------------------------


def test_a_new_address_counts_only_once_its_link_is_followed(
    app, client, auth, runner, mail_server, delegate
):
    auth.login()
    response = submit(client, "/account/email", email=NEW.upper(), password=PASSWORD)
    assert response.headers["Location"] == "/account/"
    page = client.get("/account/").text
    assert f"We have sent a link to {NEW}" in page
    assert f"Waiting for you to confirm {NEW}" in page

    send_mail(runner)
    (link,) = mail_server.links_to(NEW, "/account/email/confirm/")
    notice = mail_server.messages_to(OLD)[-1]
    assert notice["Subject"] == "Your email address is about to change"
    assert NEW in notice.get_body(("plain",)).get_content()

    # Until the link is followed, the old address is the log-in and receives the mail.
    assert can_log_in(app, OLD) and not can_log_in(app, NEW)
    submit(app.test_client(), "/account/reset", email=OLD)
    send_mail(runner)
    assert mail_server.links_to(OLD, "/account/reset/")
    assert db.session.get(User, delegate.id).email == OLD

    # Opened from the new address's inbox on a phone, the link asks to log in first, with the
    # address that still counts.
    phone = app.test_client()
    path = link.removeprefix("http://localhost")
    followed = phone.get(path)
    assert followed.headers["Location"] == f"/account/login?next={path}"
    page = phone.get(followed.headers["Location"]).text
    assert "Log in with your current email address to confirm the new one." in page
    response = AuthActions(phone)._submit(
        followed.headers["Location"], email=OLD, password=PASSWORD
    )
    assert response.headers["Location"] == path
    confirmed = phone.get(path)
    assert confirmed.headers["Location"] == "/account/"
    assert f"Your email address is now {NEW}" in phone.get("/account/").text
    user = db.session.get(User, delegate.id)
    assert (user.email, user.pending_email) == (NEW, None)
    assert can_log_in(app, NEW) and not can_log_in(app, OLD)
    page = client.get("/account/").text  # still logged in where the change was asked
    assert f'<div class="fw-semibold">{NEW}</div>' in page and "Waiting for you" not in page
    actions = actions_on(delegate)
    assert actions.index("user.asked_to_change_email") < actions.index("user.changed_email")


CSRF_TOKEN = r'name="csrf_token"[^>]*value="[^"]*"'


def test_an_address_in_use_is_refused_without_telling_whether_it_is(
    app, client, auth, runner, mail_server, delegate
):
    make_user("taken@europol.example", name="Someone Else")
    db.session.commit()
    auth.login()
    answers = []
    for address in ["taken@europol.example", "free@europol.example"]:
        response = submit(client, "/account/email", email=address, password=PASSWORD)
        page = client.get("/account/").text.replace(address, "X")
        # A CSRF token carries the second it was made in: two pages a second apart differ there.
        answers.append((response.headers["Location"], re.sub(CSRF_TOKEN, "", page)))
    assert answers[0] == answers[1], "the same answer either way"

    send_mail(runner)
    notices = [m.get_body(("plain",)).get_content() for m in mail_server.messages_to(OLD)]
    assert notices[0].replace("taken@", "free@") == notices[1], "the same notice either way"
    (taken,) = mail_server.messages_to("taken@europol.example")
    assert taken["Subject"] == "This email address already has an account"
    assert mail_server.links_to("taken@europol.example", "/account/email/confirm/") == []
    assert mail_server.links_to("free@europol.example", "/account/email/confirm/")
    assert db.session.get(User, delegate.id).email == OLD


def test_a_new_address_needs_the_password(client, auth, runner, mail_server, delegate):
    auth.login()
    response = submit(client, "/account/email", email=NEW, password="not my password")
    assert response.status_code == 400
    assert "That is not your password." in response.text
    assert f'value="{NEW}"' in response.text, "what was typed stays"
    assert db.session.get(User, delegate.id).pending_email is None
    send_mail(runner)
    assert mail_server.received == []


def test_the_same_address_again_is_refused_beside_the_field(client, auth, delegate):
    auth.login()
    response = submit(client, "/account/email", email=OLD, password=PASSWORD)
    assert response.status_code == 400
    assert re.search(r'id="email-error">That is your email address already', response.text)


def test_a_later_request_replaces_the_earlier_link(
    app, client, auth, runner, mail_server, delegate
):
    auth.login()
    submit(client, "/account/email", email=NEW, password=PASSWORD)
    submit(client, "/account/email", email="dana@politie.example", password=PASSWORD)
    send_mail(runner)
    (first,) = mail_server.links_to(NEW, "/account/email/confirm/")
    response = client.get(first.removeprefix("http://localhost"))
    assert response.status_code == 400
    assert "no longer valid" in response.text
    assert db.session.get(User, delegate.id).email == OLD


def test_a_link_for_an_address_taken_since_changes_nothing(
    app, client, auth, runner, mail_server, delegate
):
    auth.login()
    submit(client, "/account/email", email=NEW, password=PASSWORD)
    send_mail(runner)
    (link,) = mail_server.links_to(NEW, "/account/email/confirm/")
    make_user(NEW, name="Quicker")
    db.session.commit()
    response = client.get(link.removeprefix("http://localhost"))
    assert response.status_code == 400
    assert db.session.get(User, delegate.id).email == OLD


def test_a_link_opened_by_another_account_changes_nothing(
    app, client, auth, runner, mail_server, delegate
):
    """Whoever receives the link by a typo in the address cannot take the account over."""
    auth.login()
    submit(client, "/account/email", email=NEW, password=PASSWORD)
    send_mail(runner)
    (link,) = mail_server.links_to(NEW, "/account/email/confirm/")
    make_user("stranger@police.example", name="Stranger")
    db.session.commit()
    stranger = app.test_client()
    AuthActions(stranger).login("stranger@police.example")
    response = stranger.get(link.removeprefix("http://localhost"))
    assert response.status_code == 400
    assert "This link is for another account." in response.text
    assert db.session.get(User, delegate.id).email == OLD


def test_a_broken_confirmation_link_says_so(client, auth, delegate):
    auth.login()
    response = client.get("/account/email/confirm/not-a-token")
    assert response.status_code == 400
    assert "This link is not valid." in response.text


# --- password ---------------------------------------------------------------------------------


def test_changing_the_password_asks_the_current_one_and_ends_the_other_sessions(
    app, client, auth, runner, mail_server, delegate
):
    other_device = app.test_client()
    AuthActions(other_device).login()
    auth.login()

    wrong = submit(
        client,
        "/account/password",
        current_password="not my password",
        password=NEW_PASSWORD,
        confirm=NEW_PASSWORD,
    )
    assert wrong.status_code == 400
    assert re.search(r'id="current_password-error">That is not your password.', wrong.text)
    assert logged_in(other_device)

    response = submit(
        client,
        "/account/password",
        current_password=PASSWORD,
        password=NEW_PASSWORD,
        confirm=NEW_PASSWORD,
    )
    assert response.headers["Location"] == "/account/"
    assert "Your password is changed. Every other device is logged out." in (
        client.get("/account/").text
    )
    assert logged_in(client), "this device stays logged in"
    assert not logged_in(other_device)
    assert can_log_in(app, OLD, NEW_PASSWORD) and not can_log_in(app, OLD, PASSWORD)
    assert "user.changed_password" in actions_on(delegate)
    send_mail(runner)
    assert mail_server.messages_to(OLD)[-1]["Subject"] == "Your password is changed"


def test_a_short_new_password_is_refused(client, auth, delegate):
    auth.login()
    response = submit(
        client,
        "/account/password",
        current_password=PASSWORD,
        password="too short",
        confirm="too short",
    )
    assert response.status_code == 400
    assert "Use at least 12 characters" in response.text
    assert can_log_in(client.application, OLD, PASSWORD)


@pytest.mark.parametrize("path", ["/account/name", "/account/email", "/account/password"])
def test_the_changes_need_a_log_in(client, app, path):
    assert client.get(path).headers["Location"].startswith("/account/login?next=")
