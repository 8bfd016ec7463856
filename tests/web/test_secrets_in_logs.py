"""No log line carries a token, a password, an email address or a need: a whole journey over
real HTTP (werkzeug's request log included), every logger captured at DEBUG, searched for
every secret it used."""

import logging
import re
import urllib.parse

import sqlalchemy as sa

from conference.extensions import db
from conference.models import OutboxEmail, User
from conference.request_log import redact
from conference.services.people import team
from conference.services.programme.calendar import feed_token
from conference.services.registration import registration_invitations
from conference.services.registration.registration_invitations import Invitee
from tests.concurrency.http_browser import Browser
from tests.factories import PASSWORD, TOTP_SECRET, approved, make_event, make_organiser

NEW_PASSWORD = "a second password, long"
EMAIL = "newcomer.agent@police.example"
NEED = "Coeliac, carries an EpiPen"


def last_link(fragment: str) -> str:
    """The path of the link to `fragment` in the newest email to the newcomer."""
    body = db.session.scalars(
        sa.select(OutboxEmail.body_text)
        .where(OutboxEmail.recipient == EMAIL)
        .order_by(OutboxEmail.id.desc())
    ).first()
    url = re.search(r"https?://\S*" + re.escape(fragment) + r"\S*", body)[0]
    return urllib.parse.urlsplit(url).path


def test_a_whole_journey_leaves_no_secret_in_the_logs(live_server, caplog):
    caplog.set_level(logging.DEBUG)
    app = live_server.app
    secrets = {PASSWORD, NEW_PASSWORD, EMAIL, TOTP_SECRET, NEED}
    with app.app_context():
        event = make_event()
        organiser = make_organiser(event)
        feed = approved(event, "feed.owner@police.example")
        feed.dietary_needs = NEED
        db.session.commit()
        secrets |= {organiser.email, feed.user.email}
        organiser_id, organiser_email = organiser.id, organiser.email

    newcomer = Browser(live_server.url)
    newcomer.post("/account/signup", {"name": "Nia", "email": EMAIL, "password": PASSWORD})
    with app.app_context():
        verify = last_link("/account/verify/")
    assert newcomer.get(verify).is_redirect
    assert newcomer.post("/account/login", {"email": EMAIL, "password": PASSWORD}).is_redirect
    newcomer.post("/account/logout", {})

    newcomer.post("/account/reset", {"email": EMAIL})
    with app.app_context():
        reset = last_link("/account/reset/")
    assert newcomer.get(reset).status == 200
    assert newcomer.post(reset, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).is_redirect

    with app.app_context():
        organiser = db.session.get(User, organiser_id)
        team.invite_member(db.session.merge(event), EMAIL, "viewer", actor=organiser)
        db.session.commit()
        invitation = last_link("/account/invitations/")
        _, code = registration_invitations.invite(
            db.session.merge(event), Invitee(EMAIL, "Nia"), actor=organiser
        )
        db.session.commit()
    newcomer.get(invitation)
    login = "/account/login?" + urllib.parse.urlencode({"next": invitation})
    newcomer.post(login, {"email": EMAIL, "password": NEW_PASSWORD})
    joined = newcomer.post(invitation, {})
    assert joined.location == "/vgt-2014/organiser/registrations"
    register = newcomer.get("/vgt-2014/register?" + urllib.parse.urlencode({"code": code}))
    assert register.status == 200
    newcomer.get("/vgt-2014/organiser/registrations?" + urllib.parse.urlencode({"q": EMAIL}))

    with app.app_context():
        feed = db.session.merge(feed)
        token = feed_token(feed, secret=app.config["SECRET_KEY"])
        feed_path = f"/vgt-2014/agenda/{feed.reference}/{token}.ics"
    assert Browser(live_server.url).get(feed_path).status == 404  # no programme published

    guesser = Browser(live_server.url)
    guesser.post("/account/login", {"email": organiser_email, "password": PASSWORD})
    answers = [guesser.post("/account/login/code", {"code": "000000"}).status for _ in range(11)]
    assert answers[-1] == 429, "the rate limiter refused, and logged, the last guesses"

    with app.app_context():
        session_tokens = db.session.scalars(sa.select(User.session_token)).all()
    secrets |= {verify.rpartition("/")[2], reset.rpartition("/")[2], code, token}
    secrets |= {invitation.rpartition("/")[2], *session_tokens}
    secrets |= {urllib.parse.quote(secret, safe="") for secret in secrets}

    logged = caplog.text + "\n".join(record.getMessage() for record in caplog.records)
    assert '"GET /account/verify/… HTTP/1.1" 302' in logged, "werkzeug's request lines"
    assert "exceeded at endpoint: accounts.two_factor_login" in logged
    found = sorted(secret for secret in secrets if secret in logged)
    assert found == []


def test_gunicorn_atoms_lose_their_secrets_too():
    """gunicorn hands its access log the request line, path, query and Referer in a dict."""
    record = logging.LogRecord(
        "gunicorn.access",
        logging.INFO,
        __file__,
        1,
        '%(h)s "%(r)s" %(s)s "%(f)s"',
        {
            "h": "127.0.0.1",
            "r": "GET /account/reset/SECRET-TOKEN HTTP/1.1",
            "s": "200",
            "f": "https://conference.example/account/invitations/SECRET-TOKEN",
        },
        None,
    )
    logging.getLogger("gunicorn.access").filters[0].filter(record)
    assert "SECRET" not in record.getMessage()
    assert record.getMessage().startswith('127.0.0.1 "GET /account/reset/… HTTP/1.1" 200')
    assert redact("/vgt-2014/register?code=K3QX-7A2B") == "/vgt-2014/register?code=…"
