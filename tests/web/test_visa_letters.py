"""Visa invitation letters through the pages, with CSRF on: the delegate's details and download,
the organisers' Letters page, and the public verification page."""

import io

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from conference.extensions import db
from conference.models import AuditEntry, Event, TeamRole, VisaLetter
from conference.services.on_site import visa_letters
from conference.services.registration import workflow
from conference.services.registration.exports import PARTICIPANT_COLUMNS
from tests.client import assert_redirects, csrf_token
from tests.factories import approved, make_organiser, register
from tests.on_site_helpers import PASSPORT, asked_for_letter, letter_worded

OWN = "/vgt-2014/registration"
DETAILS = "/vgt-2014/registration/letter"
LETTER_PDF = "/vgt-2014/registration/letter.pdf"
LETTERS = "/vgt-2014/organiser/letters"
VERIFY = "/vgt-2014/verify-letter"
PASSPORT_FORM = {
    "passport_name": "Siriporn Chaiyaporn",
    "nationality": "TH",
    "passport_number": "aa 1234567",
    "date_of_birth": "1979-03-14",
}


@pytest.fixture
def app_settings():
    return {"WTF_CSRF_ENABLED": True}


@pytest.fixture
def siriporn(event):
    letter_worded(event)
    registration = asked_for_letter(event, "siriporn@dsi.example")
    db.session.commit()
    return registration


@pytest.fixture
def with_letter(siriporn):
    letter = visa_letters.give_details(siriporn, PASSPORT, actor=siriporn.user)
    db.session.commit()
    return letter


def post_form(client, page: str, url: str, data: dict, **kwargs):
    """Send a form of `page` as a browser does: with the token the page gave."""
    return client.post(
        url, data={**data, "csrf_token": csrf_token(client.get(page).text)}, **kwargs
    )


def pdf_text(response) -> str:
    pages = PdfReader(io.BytesIO(response.get_data())).pages
    return " ".join(" ".join(page.extract_text().split()) for page in pages)


def letters() -> list[VisaLetter]:
    db.session.expire_all()
    return db.session.scalars(sa.select(VisaLetter).order_by(VisaLetter.id)).all()


# --- the delegate -------------------------------------------------------------------------------


def test_an_approved_delegate_who_asked_gives_details_and_downloads_the_letter(
    client, auth, siriporn
):
    auth.login(siriporn.user.email)
    page = client.get(OWN).text
    assert "Visa invitation letter" in page and 'name="passport_number"' in page

    response = post_form(client, OWN, DETAILS, PASSPORT_FORM)

    assert_redirects(response, to=f"{OWN}#visa-letter")
    [letter] = letters()
    assert (letter.passport_number, letter.nationality) == ("AA1234567", "TH")
    page = client.get(OWN).text
    assert f'href="{LETTER_PDF}"' in page and letter.reference in page
    download = client.get(LETTER_PDF)
    assert download.status_code == 200 and download.mimetype == "application/pdf"
    assert download.headers["Cache-Control"] == "no-store"
    text = pdf_text(download)
    assert "Siriporn Chaiyaporn" in text and "AA1234567" in text and "14 March 1979" in text
    assert visa_letters.code_of(letter) in text
    assert letters()[0].downloads == 1


def test_the_delegate_sees_the_valid_letter_with_its_details_then_that_it_was_withdrawn(
    client, auth, organiser, with_letter
):
    auth.login(with_letter.registration.user.email)
    page = client.get(OWN).text
    assert with_letter.reference in page and 'value="AA1234567"' in page  # to correct them
    assert f'href="{LETTER_PDF}"' in page

    visa_letters.withdraw_letter(with_letter, actor=organiser, reason="Sent by mistake")
    db.session.commit()

    page = client.get(OWN).text
    assert f"Your invitation letter {with_letter.reference} was withdrawn." in page
    assert LETTER_PDF not in page and "passport_number" not in page
    assert client.get(LETTER_PDF).status_code == 409


@pytest.mark.parametrize("who", ["pending", "did_not_ask"])
def test_no_details_are_asked_before_approval_or_of_who_did_not_ask(client, auth, event, who):
    letter_worded(event)
    registration = (
        register(event, "d@police.example", invitation_letter_needed=True)
        if who == "pending"
        else approved(event, "d@police.example")
    )
    db.session.commit()
    auth.login(registration.user.email)

    page = client.get(OWN).text
    assert "Visa invitation letter" not in page and "passport_number" not in page
    response = post_form(client, OWN, DETAILS, PASSPORT_FORM)
    assert response.status_code == 409
    assert "asked only of approved delegates who asked" in response.text
    assert letters() == []


def test_details_with_a_mistake_are_shown_again_with_the_message_and_nothing_is_kept(
    client, auth, siriporn
):
    auth.login(siriporn.user.email)
    response = post_form(client, OWN, DETAILS, {**PASSPORT_FORM, "date_of_birth": "2031-01-01"})
    assert response.status_code == 400
    assert "Give your date of birth as it is written in your passport." in response.text
    assert 'value="Siriporn Chaiyaporn"' in response.text  # what they typed, to correct

    response = post_form(client, OWN, DETAILS, {**PASSPORT_FORM, "nationality": "Thai"})
    assert response.status_code == 400 and "Not a valid choice" in response.text
    assert letters() == []


def test_a_form_without_its_token_is_refused(client, auth, siriporn):
    auth.login(siriporn.user.email)
    assert client.post(DETAILS, data=PASSPORT_FORM).status_code == 400
    assert letters() == []


# --- who sees the details -------------------------------------------------------------------


@pytest.fixture
def team(event):
    members = {
        role: make_organiser(event, f"{role}@politie.example", role=role) for role in TeamRole
    }
    db.session.commit()
    return members


def test_the_letters_page_shows_passport_details_to_organisers_only(
    client, auth, team, with_letter
):
    auth.login(team[TeamRole.ORGANISER].email)
    page = client.get(LETTERS)
    assert page.status_code == 200
    assert "AA1234567" in page.text and "Siriporn Chaiyaporn" in page.text
    assert with_letter.reference in page.text and "Not yet" in page.text
    assert f'href="{LETTERS}"' in client.get("/vgt-2014/organiser/").text
    auth.logout()

    for role in (TeamRole.MODERATOR, TeamRole.VIEWER):
        auth.login(team[role].email)
        assert client.get(LETTERS).status_code == 403
        assert f'href="{LETTERS}"' not in client.get("/vgt-2014/organiser/").text
        detail = client.get(
            f"/vgt-2014/organiser/registrations/{with_letter.registration.reference}"
        )
        assert detail.status_code == 200 and "AA1234567" not in detail.text
        auth.logout()
    auth.login(team[TeamRole.CHECK_IN].email)
    assert client.get(LETTERS).status_code == 403


def test_no_export_and_no_audit_log_page_holds_passport_details(client, auth, team, with_letter):
    auth.login(team[TeamRole.ORGANISER].email)
    exports = "/vgt-2014/organiser/exports"
    token = csrf_token(client.get(exports).text)
    columns = list(PARTICIPANT_COLUMNS)  # every column there is
    for url, data in (
        (f"{exports}/participants", {"columns": columns, "format": "csv"}),
        (f"{exports}/security", {"format": "csv"}),
    ):
        response = client.post(url, data={**data, "csrf_token": token}, buffered=True)
        assert response.status_code == 200 and "Siriporn" not in response.text  # not even the name
        assert "siriporn@dsi.example" in response.text or url.endswith("security")
        assert "AA1234567" not in response.text
    page = client.get("/vgt-2014/organiser/audit-log").text
    assert with_letter.reference in page and "AA1234567" not in page and "1979" not in page


# --- the organisers' actions ----------------------------------------------------------------


@pytest.fixture
def organiser_in(client, auth, organiser):
    auth.login(organiser.email)
    return client


def test_an_organiser_downloads_a_copy_and_it_is_audited(organiser_in, with_letter):
    response = post_form(organiser_in, LETTERS, f"{LETTERS}/{with_letter.reference}/download", {})
    assert response.status_code == 200 and "AA1234567" in pdf_text(response)
    actions = db.session.scalars(sa.select(AuditEntry.action)).all()
    assert "visa_letter.downloaded" in actions
    assert letters()[0].downloads == 0  # the delegate's downloads are what the page counts


def test_a_withdrawn_letter_is_not_downloaded_and_the_letters_page_says_why(
    organiser_in, organiser, with_letter
):
    visa_letters.withdraw_letter(with_letter, actor=organiser, reason="Sent by mistake")
    db.session.commit()

    response = post_form(organiser_in, LETTERS, f"{LETTERS}/{with_letter.reference}/download", {})

    assert response.status_code == 409 and response.mimetype == "text/html"
    assert f"Letter {with_letter.reference} is withdrawn" in response.text
    assert "Visa invitation letters" in response.text  # the Letters page, with the message
    actions = db.session.scalars(sa.select(AuditEntry.action)).all()
    assert "visa_letter.downloaded" not in actions


def test_an_organiser_withdraws_a_letter_with_a_reason(client, organiser_in, with_letter):
    url = f"{LETTERS}/{with_letter.reference}/withdraw"
    refused = post_form(organiser_in, LETTERS, url, {"reason": ""})
    assert refused.status_code == 400 and "Give the reason." in refused.text
    assert letters()[0].is_valid

    response = post_form(organiser_in, LETTERS, url, {"reason": "Doubts about the passport"})

    assert_redirects(response, to=LETTERS)
    [letter] = letters()
    assert not letter.is_valid and letter.withdrawn_reason == "Doubts about the passport"
    assert "Doubts about the passport" in organiser_in.get(LETTERS).text
    again = post_form(organiser_in, LETTERS, url, {"reason": "Twice"})
    assert again.status_code == 409 and "withdrawn already" in again.text


def test_an_organiser_reissues_a_letter_with_a_new_code(organiser_in, event, with_letter):
    old_code = visa_letters.code_of(with_letter)
    url = f"{LETTERS}/{with_letter.reference}/reissue"

    response = post_form(organiser_in, LETTERS, url, {"reason": "Lost in the post"})

    assert_redirects(response, to=LETTERS)
    old, new = letters()
    assert not old.is_valid and new.is_valid and new.reference.endswith("-L2")
    assert not visa_letters.check_letter(event, old_code).valid


def test_a_letter_of_another_event_is_not_found(organiser_in, with_letter):
    other = Event(
        slug="other-2015",
        name="Other",
        short_name="Other",
        reference_prefix="OTH15",
        starts_on=with_letter.registration.event.starts_on,
        ends_on=with_letter.registration.event.ends_on,
        capacity=10,
    )
    db.session.add(other)
    db.session.commit()
    assert visa_letters.letter_in_event(other, with_letter.reference) is None
    response = post_form(organiser_in, LETTERS, f"{LETTERS}/NOPE-L1/withdraw", {"reason": "x"})
    assert response.status_code == 404


def test_the_settings_form_holds_the_letters_wording(organiser_in, event):
    settings = "/vgt-2014/organiser/settings"
    page = organiser_in.get(settings).text
    assert 'name="letter_signatory_name"' in page and 'value="Ruud Bik"' not in page
    data = {
        "name": event.name,
        "short_name": event.short_name,
        "starts_on": "2014-11-05",
        "ends_on": "2014-11-06",
        "capacity": "150",
        "approval_required": "yes",
        "retention_months": "12",
        "letter_letterhead": "Dutch National Police\r\nNational Unit",
        "letter_purpose": "To take part in the conference.",
        "letter_costs": "The host bears the conference fee.",
        "letter_signatory_name": " Ruud Bik ",
        "letter_signatory_title": "Deputy Chief of Police",
    }
    assert_redirects(post_form(organiser_in, settings, settings, data), to=settings)
    db.session.expire_all()
    assert event.letter_signatory_name == "Ruud Bik"
    assert event.letter_letterhead == "Dutch National Police\nNational Unit"
    assert visa_letters.missing_wording(event) == []
    audit = organiser_in.get("/vgt-2014/organiser/audit-log").text
    assert "Letter signed by" in audit


# --- the verification page ------------------------------------------------------------------


def check(client, code: str):
    return post_form(client, VERIFY, VERIFY, {"code": code})


def test_the_verification_page_says_a_valid_letter_is_valid_and_shows_only_what_it_should(
    client, with_letter
):
    bare = visa_letters.code_of(with_letter).replace("-", "").lower()

    response = check(client, f" {bare[:6]} {bare[6:]} ")

    assert response.status_code == 200
    assert "This letter is valid." in response.text
    assert "Siriporn Chaiyaporn" in response.text and "Thailand" in response.text
    assert "5 and 6 November 2014" in response.text
    for secret in ("AA1234567", "1979", "Federal Police Cybercrime Unit", "siriporn@dsi.example"):
        assert secret not in response.text


def test_the_verification_page_says_a_withdrawn_letter_is_withdrawn(
    client, event, organiser, with_letter
):
    code = visa_letters.code_of(with_letter)
    workflow.cancel_registration(with_letter.registration, actor=with_letter.registration.user)
    db.session.commit()

    response = check(client, code)

    assert response.status_code == 200
    assert "This letter was withdrawn: it no longer invites its holder." in response.text
    assert "is valid" not in response.text and "Siriporn Chaiyaporn" in response.text
    assert with_letter.withdrawn_at.strftime("%-d %B %Y") not in response.text


def test_the_verification_page_says_an_unknown_code_is_unknown(client, with_letter):
    response = check(client, "ABCD-EFGH-JKMN")
    assert response.status_code == 404
    assert "No letter of this conference has this code" in response.text
    assert "Siriporn" not in response.text
    empty = check(client, "")
    assert empty.status_code == 400 and "Type the code printed on the letter." in empty.text


class TestTheVerificationPageIsRateLimited:
    @pytest.fixture
    def app_settings(self):
        return {"WTF_CSRF_ENABLED": True, "LETTER_CHECK_RATE_LIMIT": "3 per minute"}

    def test_guessing_codes_is_stopped(self, client, with_letter):
        answers = [check(client, f"ABCD-EFGH-JKM{n}").status_code for n in range(3, 7)]
        assert answers == [404, 404, 404, 429]
        refused = check(client, visa_letters.code_of(with_letter))
        assert refused.status_code == 429 and "Back to the letter check" in refused.text
        assert "Forgot your password" not in refused.text
