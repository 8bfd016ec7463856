"""The organisers' email editor through its forms, CSRF on: the list, editing with a preview on
a real registration, refusals that keep the text, back to the default; and the delegate's
choice of language, from the browser at sign-up and on the account page."""

import lxml.html
import pytest
import sqlalchemy as sa

from conference.extensions import db
from conference.models import EmailTemplate, OutboxEmail, User
from conference.services.registration import workflow
from tests.client import AuthActions, assert_redirects, csrf_token
from tests.environment import audited, row_count
from tests.factories import PASSWORD, make_organiser, make_user, register

EDITOR = "/vgt-2014/organiser/emails/registration_approved/en"


@pytest.fixture
def app_settings():
    return {"WTF_CSRF_ENABLED": True}


@pytest.fixture
def organiser_in(client, organiser):
    AuthActions(client).login(organiser.email)
    return organiser


def save(client, url=EDITOR, **data):
    token = csrf_token(client.get(url).text)
    return client.post(url, data={"csrf_token": token, "registration": "0", **data})


def test_the_list_shows_every_email_and_whose_words_each_is_sent_in(client, event, organiser_in):
    page = client.get("/vgt-2014/organiser/emails")
    assert page.status_code == 200
    assert ">Emails</a>" in page.text.split('aria-label="Back office"')[1]
    for title in [
        "Registration approved",
        "Promoted from the waiting list",
        "Visa invitation letter ready",
        "Password reset",
    ]:
        assert title in page.text
    assert "Edited" not in page.text

    save(client, subject="Approved: {reference}", body="Welcome, {name}.", save="y")
    page = client.get("/vgt-2014/organiser/emails").text
    assert f"by {organiser_in.name} on" in page
    assert page.count("Edited</span>") == 1


def test_the_editor_lists_the_placeholders_and_previews_the_approved_registration_first(
    client, event, organiser_in
):
    register(event, "pending@police.example")
    anna = register(event, "anna@police.example", organisation_other="Garda Síochána")
    workflow.approve_registration(anna, actor=organiser_in)
    db.session.commit()

    page = client.get(EDITOR).text
    for token, about in [
        ("{name}", "The delegate&#39;s name"),
        ("{registration_link}", "registration page"),
    ]:
        assert token in page and about in page
    tree = lxml.html.document_fromstring(page)
    [chosen] = tree.xpath('//select[@name="registration"]/option[@selected]')
    assert chosen.text.startswith(anna.reference)
    assert tree.get_element_by_id("preview-subject").text_content() == (
        f"VGT 2014: your registration {anna.reference} is approved"
    )
    assert "Dear anna," in tree.get_element_by_id("preview-text").text_content()
    # Without scripts, the frame shows the saved words; with them, the script posts into the
    # named frame (below), which loads nothing before.
    [frame] = tree.xpath("//noscript/iframe")
    assert frame.get("sandbox") == ""
    [named] = tree.xpath("//iframe[@name]")
    assert named.get("sandbox") == "" and named.get("src") is None

    html = client.get(frame.get("src"))
    assert html.status_code == 200
    assert "style-src 'unsafe-inline'" in html.headers["Content-Security-Policy"]
    assert "script-src" not in html.headers["Content-Security-Policy"]
    assert html.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert "Dear anna," in html.text and "<script" not in html.text


def test_a_preview_shows_the_words_being_edited_without_saving_them(client, event, organiser_in):
    anna = register(event, "anna@police.example")
    db.session.commit()
    token = csrf_token(client.get(EDITOR).text)
    response = client.post(
        EDITOR,
        data={
            "csrf_token": token,
            "subject": "Welcome {name}",
            "body": "Your place at {venue} is ready, {name} ({organisation}).",
            "registration": str(anna.id),
            "preview": "y",
        },
    )
    assert response.status_code == 200
    tree = lxml.html.document_fromstring(response.text)
    assert tree.get_element_by_id("preview-subject").text_content() == "Welcome anna"
    assert "at Conference centre, Amsterdam is ready, anna (" in response.text
    # The words being edited are posted into the frame, by the page's script.
    [posted] = tree.xpath('//form[@id="email-preview-form"]')
    assert posted.get("target") == tree.xpath("//iframe")[0].get("name")
    fields = {field.get("name"): field.get("value") for field in posted.iter("input")}
    assert fields["body"] == "Your place at {venue} is ready, {name} ({organisation})."
    frame = client.post(posted.get("action"), data=fields)
    assert frame.status_code == 200
    assert "Your place at Conference centre, Amsterdam is ready, anna" in frame.text
    assert "style-src 'unsafe-inline'" in frame.headers["Content-Security-Policy"]
    assert client.post(posted.get("action"), data={**fields, "csrf_token": ""}).status_code == 400
    assert row_count(EmailTemplate) == 0


def test_an_event_without_registrations_previews_with_sample_values(client, event, organiser_in):
    page = lxml.html.document_fromstring(client.get(EDITOR).text)
    assert "Dear Anna de Vries," in page.get_element_by_id("preview-text").text_content()
    assert "with sample values" in lxml.html.tostring(page, encoding=str)


def test_an_unknown_placeholder_is_refused_naming_it_and_the_text_is_kept(
    client, event, organiser_in
):
    response = save(client, subject="Approved", body="Dear {first_name}, welcome.", save="y")
    assert response.status_code == 400
    assert "There is no placeholder {first_name} in this email. It can use:" in response.text
    assert "{registration_link}" in response.text.split("It can use:")[1]
    assert "Dear {first_name}, welcome.</textarea>" in response.text
    assert row_count(EmailTemplate) == 0
    assert audited("email_template.saved") == []


def test_a_crafted_subject_with_a_line_break_is_refused(client, event, organiser_in):
    response = save(
        client, subject="Approved\r\nBcc: all@police.example", body="Hi {name}", save="y"
    )
    assert response.status_code == 400
    assert "A subject is one line" in response.text
    assert row_count(EmailTemplate) == 0


def test_an_empty_text_is_refused_beside_its_field(client, event, organiser_in):
    response = save(client, subject="Approved", body="   ", save="y")
    assert response.status_code == 400
    assert (
        "Write the email&#39;s text." in response.text or "Write the email's text." in response.text
    )


def test_an_unknown_email_or_language_is_not_found(client, event, organiser_in):
    assert client.get("/vgt-2014/organiser/emails/organiser_message/en").status_code == 404
    assert client.get("/vgt-2014/organiser/emails/registration_approved/fr").status_code == 404


def test_an_edited_email_is_what_the_approval_sends(client, event, organiser_in):
    registration = register(event, "anna@police.example")
    db.session.commit()
    response = save(
        client,
        subject="{event_short}: welcome, {name}",
        body="Dear {name},\n\nYou are in: {reference}.\n\nSee you in {city}.",
        save="y",
    )
    assert_redirects(response, to=EDITOR)
    assert "is sent in these words" in client.get(EDITOR).text
    [entry] = audited("email_template.saved")
    assert entry.details == {"kind": "registration_approved", "language": "en"}

    detail = f"/vgt-2014/organiser/registrations/{registration.reference}"
    token = csrf_token(client.get(detail).text)
    client.post(detail + "/approve", data={"csrf_token": token})

    email = db.session.scalars(
        sa.select(OutboxEmail).where(OutboxEmail.kind == "registration_approved")
    ).one()
    assert email.recipient == "anna@police.example"
    assert email.subject == "VGT 2014: welcome, anna"
    assert (
        email.body_text
        == f"Dear anna,\n\nYou are in: {registration.reference}.\n\nSee you in Amsterdam.\n"
    )
    audit_page = client.get("/vgt-2014/organiser/audit-log").text
    entry_row = audit_page.split("Email template: saved")[-1].split("</tr>")[0]
    assert "Registration approved" in entry_row and "English" in entry_row


def test_back_to_the_default_text_asks_first_then_deletes_the_events_words(
    client, event, organiser_in
):
    save(client, subject="Approved", body="Our own words.", save="y")
    editor = client.get(EDITOR).text
    assert "Back to the default text" in editor and "Our own words." in editor

    confirm = client.get(EDITOR + "/reset")
    assert confirm.status_code == 200
    assert "Good news: your registration for {event} is approved." in confirm.text
    assert row_count(EmailTemplate) == 1  # opening the question deletes nothing

    assert client.post(EDITOR + "/reset").status_code == 400  # without the form's token
    assert row_count(EmailTemplate) == 1
    response = client.post(EDITOR + "/reset", data={"csrf_token": csrf_token(confirm.text)})
    assert_redirects(response, to=EDITOR)
    assert row_count(EmailTemplate) == 0
    assert len(audited("email_template.reset")) == 1
    assert "Good news: your registration for {event} is approved." in client.get(EDITOR).text


def test_only_organisers_edit_the_emails(client, event, organiser):
    moderator = make_organiser(event, "moderator@politie.example", role="moderator")
    db.session.commit()
    AuthActions(client).login(moderator.email)
    assert client.get("/vgt-2014/organiser/emails").status_code == 403
    assert client.post(EDITOR, data={"subject": "x", "body": "y", "save": "y"}).status_code in (
        400,
        403,
    )
    assert row_count(EmailTemplate) == 0


# --- the delegate's language --------------------------------------------------------------------


def sign_up(client, email: str, accept_language: str | None):
    headers = {"Accept-Language": accept_language} if accept_language else {}
    token = csrf_token(client.get("/account/signup").text)
    return client.post(
        "/account/signup",
        data={"csrf_token": token, "name": "Anouk", "email": email, "password": PASSWORD},
        headers=headers,
    )


@pytest.mark.parametrize(
    ("accept_language", "locale"),
    [
        ("nl-NL,nl;q=0.9,en;q=0.8", "nl"),
        ("nl-BE", "nl"),
        ("en-GB,en;q=0.9,nl;q=0.8", "en"),
        ("fr-FR,fr;q=0.9", "en"),
        ("de,nl;q=0.5", "nl"),
        (None, "en"),
    ],
)
def test_sign_up_sets_the_email_language_from_the_browser(client, app, accept_language, locale):
    assert sign_up(client, "anouk@politie.example", accept_language).status_code == 200
    user = db.session.scalars(sa.select(User).where(User.email == "anouk@politie.example")).one()
    assert user.locale == locale
    email = db.session.scalars(sa.select(OutboxEmail)).one()
    expected = "Bevestig uw e-mailadres" if locale == "nl" else "Confirm your email address"
    assert email.subject == expected


def test_the_account_page_changes_the_language_of_the_emails(client, event):
    user = make_user("anouk@politie.example", name="Anouk")
    db.session.commit()
    AuthActions(client).login(user.email)
    home = client.get("/account/")
    assert "Language of your emails" in home.text
    tree = lxml.html.document_fromstring(home.text)
    assert tree.xpath('//input[@name="language"][@checked]')[0].get("value") == "en"

    response = client.post(
        "/account/language", data={"csrf_token": csrf_token(home.text), "language": "nl"}
    )
    assert_redirects(response, to="/account/")
    assert "We write your emails in Nederlands from now on." in client.get("/account/").text
    assert db.session.get(User, user.id).locale == "nl"
    assert len(audited("user.changed_language")) == 1

    refused = client.post(
        "/account/language",
        data={"csrf_token": csrf_token(client.get("/account/").text), "language": "fr"},
    )
    assert refused.status_code == 400
    assert db.session.get(User, user.id).locale == "nl"


def test_a_delegate_who_chose_dutch_gets_the_dutch_email(client, app, event):
    user = make_user("anouk@politie.example", name="Anouk")
    db.session.commit()
    AuthActions(client).login(user.email)
    token = csrf_token(client.get("/account/").text)
    client.post("/account/language", data={"csrf_token": token, "language": "nl"})
    form = client.get("/account/password").text
    client.post(
        "/account/password",
        data={
            "csrf_token": csrf_token(form),
            "current_password": PASSWORD,
            "password": "a brand new passphrase",
            "confirm": "a brand new passphrase",
        },
    )
    [email] = db.session.scalars(
        sa.select(OutboxEmail).where(OutboxEmail.recipient == "anouk@politie.example")
    ).all()
    assert email.subject == "Uw wachtwoord is gewijzigd"
    assert "Beste Anouk," in email.body_text


def test_a_reset_for_an_address_without_an_account_is_in_the_browsers_language(client, app):
    form = client.get("/account/reset").text
    client.post(
        "/account/reset",
        data={"csrf_token": csrf_token(form), "email": "nobody@politie.example"},
        headers={"Accept-Language": "nl-NL,nl;q=0.9"},
    )
    [email] = db.session.scalars(sa.select(OutboxEmail)).all()
    assert email.subject == "Over uw verzoek om een nieuw wachtwoord"
    assert email.user_id is None
