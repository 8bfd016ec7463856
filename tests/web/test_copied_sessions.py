"""A session cookie copied to another browser stops working when its owner logs out, changes
their password or resets it: the server ends the session, not only the browser its cookie."""

import sqlalchemy as sa

from conference.extensions import db
from conference.models import AuditEntry
from tests.client import AuthActions, assert_redirects, csrf_token, log_in_first
from tests.factories import PASSWORD
from tests.web.test_accounts import link_in_last_email


def copy_of_the_session(app, client):
    """Another browser holding the same session cookie, as a thief who copied it would."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def test_a_copied_cookie_opens_nothing_after_its_owner_logs_out(app, client, auth, organiser):
    auth.login(organiser.email)
    thief = copy_of_the_session(app, client)
    assert thief.get("/vgt-2014/organiser/registrations").status_code == 200

    response = auth.logout()

    assert response.headers["Clear-Site-Data"] == '"storage"'
    back_office = "/vgt-2014/organiser/registrations"
    assert_redirects(thief.get(back_office), to=log_in_first(back_office))
    assert db.session.scalar(
        sa.select(AuditEntry.action).where(AuditEntry.action == "user.logged_out")
    )


def test_a_password_change_keeps_this_browser_and_ends_the_copies(app, client, auth, delegate):
    auth.login()
    thief = copy_of_the_session(app, client)
    token = csrf_token(client.get("/account/password").text)
    response = client.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "password": "a brand new long password",
            "confirm": "a brand new long password",
            **({"csrf_token": token} if token else {}),
        },
    )
    assert_redirects(response, to="/account/")
    assert client.get("/account/").status_code == 200
    assert_redirects(thief.get("/account/"), to=log_in_first("/account/"))


def test_a_password_reset_ends_the_copies(app, client, auth, delegate):
    auth.login()
    thief = copy_of_the_session(app, client)
    other = app.test_client()
    other.post("/account/reset", data={"email": delegate.email})
    link = link_in_last_email(delegate.email, "/account/reset/")
    new = "a brand new long password"
    other.post(link, data={"password": new, "confirm": new})
    assert_redirects(thief.get("/account/"), to=log_in_first("/account/"))
    assert AuthActions(other).login(password=new).status_code in {302, 303}
