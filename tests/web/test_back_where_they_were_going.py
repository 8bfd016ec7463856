"""Where a visitor was going survives logging in, signing up and the verification email.

Through the pages with CSRF protection on, the emails sent through a real SMTP server. The link
in the email is opened in a browser of its own (a mail app on the phone, or after the browser
was closed): what the sign-up's browser remembered cannot help.
"""

import html
import re

import pytest

from conference.extensions import db
from conference.services.registration import registration_invitations
from conference.services.registration.registration_invitations import Invitee
from tests.client import AuthActions, csrf_token
from tests.factories import PASSWORD

EMAIL = "anna@politie.example"


@pytest.fixture
def app_settings(mail_server) -> dict:
    return {"WTF_CSRF_ENABLED": True, **mail_server.settings()}


def send_mail(runner) -> None:
    result = runner.invoke(args=["send-mail"])
    assert result.exit_code == 0, result.output


def links(page: str, path: str) -> list[str]:
    """The targets of the page's links to `path`, in the order the page has them."""
    return [html.unescape(href) for href in re.findall(rf'href="({re.escape(path)}[^"]*)"', page)]


def sign_up_through_the_login_page(client, login_address: str) -> None:
    """From the log-in page, follow 'New here? Sign up' and send the sign-up form."""
    login_page = client.get(login_address).text
    signup_address = links(login_page, "/account/signup")[-1]  # the one beside the form
    signup_page = client.get(signup_address).text
    response = client.post(
        signup_address,
        data={
            "csrf_token": csrf_token(signup_page),
            "name": "Anna de Vries",
            "email": EMAIL,
            "password": PASSWORD,
        },
    )
    assert "Check your inbox" in response.text


def follow_the_verification_email(app, runner, mail_server):
    """Open the emailed link in another browser; it leads to the log-in page."""
    send_mail(runner)
    (link,) = mail_server.links_to(EMAIL, "/account/verify/")
    elsewhere = app.test_client()
    verified = elsewhere.get(link.removeprefix("http://localhost"))
    assert "Your email address is verified" in elsewhere.get(verified.headers["Location"]).text
    return elsewhere, verified.headers["Location"]


def test_the_registration_form_survives_sign_up_and_verification(
    app, client, runner, mail_server, upcoming_event
):
    response = client.get("/vgt-2014/register")
    login_address = response.headers["Location"]
    assert login_address == "/account/login?next=%2Fvgt-2014%2Fregister"
    sign_up_through_the_login_page(client, login_address)

    elsewhere, login_address = follow_the_verification_email(app, runner, mail_server)
    assert login_address == "/account/login?next=/vgt-2014/register"
    response = AuthActions(elsewhere)._submit(login_address, email=EMAIL, password=PASSWORD)
    assert response.headers["Location"] == "/vgt-2014/register"
    assert "Send registration" in elsewhere.get("/vgt-2014/register").text


def test_the_invitation_link_survives_sign_up_and_verification(
    app, client, runner, mail_server, upcoming_event, organiser
):
    registration_invitations.invite(
        upcoming_event, Invitee(EMAIL, "Anna de Vries"), actor=organiser
    )
    db.session.commit()
    send_mail(runner)
    (invitation_link,) = mail_server.links_to(EMAIL, "/vgt-2014/register?code=")
    code = invitation_link.partition("code=")[2]

    response = client.get(invitation_link.removeprefix("http://localhost"))
    login_address = response.headers["Location"]
    assert login_address.startswith("/account/login?next=") and code in login_address
    sign_up_through_the_login_page(client, login_address)

    elsewhere, login_address = follow_the_verification_email(app, runner, mail_server)
    response = AuthActions(elsewhere)._submit(login_address, email=EMAIL, password=PASSWORD)
    assert response.headers["Location"] == f"/vgt-2014/register?code={code}"
    form = elsewhere.get(response.headers["Location"]).text
    assert "The organisers have invited Anna de Vries." in form
    assert f'value="{code}"' in form


def test_the_menu_links_on_the_login_page_keep_where_they_were_going(client, event):
    page = client.get("/account/login?next=%2Fvgt-2014%2Fregister").text
    menu = page.partition('aria-label="Main"')[2].partition("</nav>")[0]
    assert links(menu, "/account/signup") == ["/account/signup?next=/vgt-2014/register"]
    assert links(menu, "/account/login") == ["/account/login?next=/vgt-2014/register"]


def test_a_new_link_sent_at_log_in_also_leads_back(app, client, runner, mail_server, event):
    sign_up_through_the_login_page(client, "/account/login?next=%2Fvgt-2014%2Fregister")
    page = client.get("/account/login?next=%2Fvgt-2014%2Fregister").text
    response = client.post(
        "/account/login?next=%2Fvgt-2014%2Fregister",
        data={"csrf_token": csrf_token(page), "email": EMAIL, "password": PASSWORD},
    )
    assert "we have sent you a new link" in response.text
    send_mail(runner)
    newest = mail_server.links_to(EMAIL, "/account/verify/")[-1]
    verified = app.test_client().get(newest.removeprefix("http://localhost"))
    assert verified.headers["Location"] == "/account/login?next=/vgt-2014/register"


@pytest.mark.parametrize(
    "off_site", ["https://evil.example/phish", "//evil.example/phish", "/\\evil.example"]
)
def test_an_off_site_next_is_dropped_on_the_way(app, client, runner, mail_server, event, off_site):
    sign_up_through_the_login_page(client, f"/account/login?next={off_site}")
    elsewhere, login_address = follow_the_verification_email(app, runner, mail_server)
    assert login_address == "/account/login"
    response = AuthActions(elsewhere)._submit(login_address, email=EMAIL, password=PASSWORD)
    assert response.headers["Location"] == "/vgt-2014/"
