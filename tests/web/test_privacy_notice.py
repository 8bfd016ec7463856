"""A delegate meets the privacy notice, their consents and the participant directory through
the pages, with CSRF protection on; the organisers write the notice in the settings."""

import re

import pytest
import sqlalchemy as sa

from conference.extensions import db
from conference.models import Registration
from conference.services.privacy import notices
from tests.client import assert_redirects, csrf_token, log_in_first
from tests.factories import approved, make_event, register
from tests.services.test_privacy import NOTICE
from tests.web.test_registration import form


@pytest.fixture
def app_settings():
    return {"WTF_CSRF_ENABLED": True}


@pytest.fixture
def notice(upcoming_event, organiser):
    published = notices.publish_notice(upcoming_event, NOTICE, actor=organiser)
    db.session.commit()
    return published


def publish(event, organiser, **changed):
    text = notices.NoticeText(**{**NOTICE.__dict__, **changed})
    published = notices.publish_notice(event, text, actor=organiser)
    db.session.commit()
    return published


def read_notice(client, **query):
    page = client.get("/vgt-2014/privacy", query_string=query).text
    version = re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)
    data = {"csrf_token": csrf_token(page), "version": version, "code": query.get("code", "")}
    return client.post("/vgt-2014/privacy/read", data=data)


def send_registration(client, event, **overrides):
    page = client.get("/vgt-2014/register").text
    data = {**form(event, **overrides), "csrf_token": csrf_token(page)}
    return client.post("/vgt-2014/register", data=data)


def set_consent(client, consent: str, given: str):
    page = client.get("/vgt-2014/registration").text
    data = {"csrf_token": csrf_token(page), "consent": consent, "given": given}
    return client.post("/vgt-2014/registration/consent", data=data)


def only_registration() -> Registration:
    return db.session.scalars(sa.select(Registration)).one()


def test_the_notice_comes_before_the_registration_form(
    client, auth, upcoming_event, delegate, notice
):
    auth.login()
    assert_redirects(client.get("/vgt-2014/register"), to="/vgt-2014/privacy")
    page = client.get("/vgt-2014/privacy").text
    for heading, text in [
        ("Who is responsible for your data", NOTICE.controller),
        ("On what legal basis", NOTICE.legal_basis),
        ("Your rights", "Autoriteit Persoonsgegevens"),
    ]:
        assert heading in page and text in page
    assert_redirects(read_notice(client), to="/vgt-2014/register")
    page = client.get("/vgt-2014/register").text
    # The form links to the notice, and so does the footer.
    assert page.count('href="/vgt-2014/privacy"') == 2
    assert_redirects(send_registration(client, upcoming_event), to="/vgt-2014/registration")
    assert only_registration().privacy_notice_version == 1


def test_an_invitation_code_goes_through_the_notice(client, auth, upcoming_event, delegate, notice):
    auth.login()
    response = client.get("/vgt-2014/register?code=K7QX-3MPA-9TRE")
    assert_redirects(response, to="/vgt-2014/privacy?code=K7QX-3MPA-9TRE")
    response = read_notice(client, code="K7QX-3MPA-9TRE")
    assert_redirects(response, to="/vgt-2014/register?code=K7QX-3MPA-9TRE")


def test_a_notice_changed_while_the_form_was_open_keeps_what_was_entered(
    client, auth, upcoming_event, organiser, delegate, notice
):
    auth.login()
    read_notice(client)
    page = client.get("/vgt-2014/register").text
    publish(upcoming_event, organiser, retention="One year.")
    data = {**form(upcoming_event, job_title="Liaison Officer"), "csrf_token": csrf_token(page)}
    response = client.post("/vgt-2014/register", data=data)
    assert response.status_code == 409
    assert "which changed since you read it" in response.text
    assert 'value="Liaison Officer"' in response.text  # nothing entered is lost
    assert db.session.scalars(sa.select(Registration)).all() == []
    read_notice(client)
    assert_redirects(client.post("/vgt-2014/register", data=data), to="/vgt-2014/registration")
    assert only_registration().privacy_notice_version == 2


def test_a_new_version_is_asked_for_on_the_registration_page(
    client, auth, upcoming_event, organiser, delegate, notice
):
    auth.login()
    read_notice(client)
    send_registration(client, upcoming_event, dietary_needs="Halal")
    assert "notice-changed" not in client.get("/vgt-2014/registration").text
    publish(upcoming_event, organiser, retention="One year.", contact="dpo@politie.example")
    page = client.get("/vgt-2014/registration").text
    assert "changed since you read version 1" in page
    assert "What changed: How long we keep it, Whom to ask." in page
    assert_redirects(read_notice(client), to="/vgt-2014/registration")
    registration = only_registration()
    assert registration.privacy_notice_version == 2
    assert registration.dietary_needs == "Halal"  # the registration stays as it was
    assert "notice-changed" not in client.get("/vgt-2014/registration").text


def test_the_form_asks_each_consent_unticked(client, auth, upcoming_event, delegate):
    auth.login()
    page = client.get("/vgt-2014/register").text
    boxes = re.findall(r'<input[^>]*type="checkbox"[^>]*>', page)
    names = {re.search(r'name="([a-z_]+)"', box).group(1) for box in boxes}
    assert names == {
        "consent_participant_list",
        "consent_directory_email",
        "consent_hotel",
        "consent_photos",
    }
    assert not any("checked" in box for box in boxes)
    data = {k: v for k, v in form(upcoming_event).items() if not k.startswith("consent_")}
    client.post("/vgt-2014/register", data={**data, "csrf_token": csrf_token(page)})
    assert only_registration().consents == []


def test_an_approved_delegate_gives_and_withdraws_a_consent_on_their_page(client, auth, event):
    registration = approved(event, "anna@police.example")
    db.session.commit()
    auth.login("anna@police.example")
    response = set_consent(client, "consent_photos", "yes")
    assert_redirects(response, to="/vgt-2014/registration#consents")
    page = client.get("/vgt-2014/registration").text
    assert "Your consent is saved (photos)." in page
    assert re.search(r'data-field="consent_photos">\s*Given on', page)
    db.session.expire_all()
    assert registration.consents_to("photos")
    set_consent(client, "consent_photos", "no")
    db.session.expire_all()
    assert not registration.consents_to("photos")
    assert re.search(
        r'data-field="consent_photos">\s*Withdrawn on', client.get("/vgt-2014/registration").text
    )
    assert set_consent(client, "not_a_consent", "yes").status_code == 400


def test_the_directory_is_for_approved_delegates_of_the_event(client, auth, event):
    approved(event, "anna@police.example")
    register(event, "pending@police.example")
    approved(make_event(slug="vgt-2015"), "elsewhere@police.example")
    db.session.commit()
    assert_redirects(client.get("/vgt-2014/directory"), to=log_in_first("/vgt-2014/directory"))
    for outsider in ("pending@police.example", "elsewhere@police.example"):
        auth.login(outsider)
        assert client.get("/vgt-2014/directory").status_code == 403
        auth.logout()
    auth.login("anna@police.example")
    page = client.get("/vgt-2014/directory").text
    assert "anna" in page and "Federal Police Cybercrime Unit" in page and "Belgium" in page
    assert "pending" not in page and "elsewhere" not in page
    assert "anna@police.example" not in page.split("</nav>", 1)[1]  # no email without its consent


def test_the_directory_shows_an_email_address_only_with_its_consent(client, auth, event):
    approved(event, "anna@police.example")
    approved(event, "bram@police.example")
    db.session.commit()
    auth.login("bram@police.example")
    set_consent(client, "consent_directory_email", "yes")
    auth.logout()
    auth.login("anna@police.example")
    page = client.get("/vgt-2014/directory").text
    assert 'href="mailto:bram@police.example"' in page
    assert "mailto:anna@police.example" not in page
    found = client.get("/vgt-2014/directory", query_string={"q": "bra"}).text
    assert "mailto:bram@police.example" in found and "1 delegate matching" in found


def test_organisers_write_the_notice_in_the_settings(client, auth, upcoming_event, organiser):
    auth.login(organiser.email)
    assert (
        'href="/vgt-2014/organiser/settings/privacy-notice"'
        in client.get("/vgt-2014/organiser/settings").text
    )
    page = client.get("/vgt-2014/organiser/settings/privacy-notice").text
    data = {**NOTICE.__dict__, "csrf_token": csrf_token(page)}
    response = client.post("/vgt-2014/organiser/settings/privacy-notice", data=data)
    assert_redirects(response, to="/vgt-2014/organiser/settings/privacy-notice")
    assert "Version 1 of the privacy notice is published" in client.get(response.location).text
    client.post("/vgt-2014/organiser/settings/privacy-notice", data=data)
    assert "Nothing changed" in client.get("/vgt-2014/organiser/settings/privacy-notice").text
    blank = client.post("/vgt-2014/organiser/settings/privacy-notice", data={**data, "rights": " "})
    assert blank.status_code == 400 and "Write this part of the notice." in blank.text
    client.post(
        "/vgt-2014/organiser/settings/privacy-notice", data={**data, "retention": "One year."}
    )
    assert notices.current_notice(upcoming_event).version == 2
    assert "Parts changed" in client.get("/vgt-2014/organiser/audit-log").text


def test_an_event_without_a_notice_says_so(client, event):
    page = client.get("/vgt-2014/privacy").text
    assert "have not published a privacy notice" in page


def test_odd_input_is_refused_not_a_crash(client, auth, event, upcoming_event, notice):
    approved(event, "anna@police.example")
    db.session.commit()
    auth.login("anna@police.example")
    token = csrf_token(client.get("/vgt-2014/privacy").text)
    for version in ("9" * 30, "0", "x"):
        data = {"csrf_token": token, "version": version}
        assert client.post("/vgt-2014/privacy/read", data=data).status_code == 400
    data = {"csrf_token": token, "version": "99"}
    assert client.post("/vgt-2014/privacy/read", data=data).status_code == 404
    for search in ("%", "_", "x" * 500):
        assert client.get("/vgt-2014/directory", query_string={"q": search}).status_code == 200
