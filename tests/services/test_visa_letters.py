"""Visa invitation letters: the details asked of whom, the letter and its code, its downloads,
withdrawals and reissues, and the check an embassy makes."""

import io
from dataclasses import replace
from datetime import date

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from conference.extensions import db
from conference.models import AuditEntry, VisaLetter
from conference.models import RegistrationStatus as Status
from conference.services.errors import NotFound
from conference.services.on_site import visa_letters
from conference.services.on_site.visa_letters import (
    LetterDetailsRefused,
    LetterNotAvailable,
    check_letter,
    code_of,
    give_details,
)
from conference.services.registration import workflow
from conference.services.registration.bulk_actions import run_bulk_action
from tests.factories import approved, make_organiser, register
from tests.on_site_helpers import PASSPORT, asked_for_letter, letter_worded


@pytest.fixture
def organiser(event):
    return make_organiser(event)


@pytest.fixture
def siriporn(event):
    letter_worded(event)
    return asked_for_letter(event, "siriporn@dsi.example")


def pdf_text(pdf: bytes) -> str:
    return " ".join(
        " ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages
    )


def letters_in_database() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(VisaLetter))


def test_an_approved_delegate_who_asked_gets_a_letter_whose_code_verifies(event, siriporn):
    letter = give_details(siriporn, PASSPORT, actor=siriporn.user)

    assert letter.reference == f"{siriporn.reference}-L1" and letter.is_valid
    check = check_letter(event, code_of(letter))
    assert check.valid and check.passport_name == "Siriporn Chaiyaporn"
    assert check.nationality == "Thailand"
    assert (check.starts_on, check.ends_on) == (date(2014, 11, 5), date(2014, 11, 6))
    assert letter.code_hash != code_of(letter)  # only the hash is stored


def test_the_code_is_found_typed_in_any_case_with_or_without_dashes_or_spaces(event, siriporn):
    code = code_of(give_details(siriporn, PASSPORT, actor=siriporn.user))
    bare = code.replace("-", "")

    for typed in (code.lower(), bare, f" {bare[:4]} {bare[4:8]} {bare[8:]} ", bare.lower()):
        assert check_letter(event, typed).valid


def test_an_unknown_code_is_not_found(event, siriporn):
    give_details(siriporn, PASSPORT, actor=siriporn.user)
    for typed in ("ABCD-EFGH-JKMN", "", "x" * 500):
        with pytest.raises(NotFound, match="No letter of this conference has this code"):
            check_letter(event, typed)


def test_details_are_asked_only_of_approved_delegates_who_asked(event):
    pending = register(event, "pending@police.example", invitation_letter_needed=True)
    did_not_ask = approved(event, "no-letter@police.example")

    for registration in (pending, did_not_ask):
        assert not visa_letters.asks_for_letter(registration)
        with pytest.raises(LetterNotAvailable, match="asked only of approved delegates"):
            give_details(registration, PASSPORT, actor=registration.user)
    assert letters_in_database() == 0


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"passport_name": "   "}, "passport_name"),
        ({"nationality": "XX"}, "nationality"),
        ({"passport_number": "12"}, "passport_number"),
        ({"passport_number": "AB-123456"}, "passport_number"),
        ({"date_of_birth": date(2020, 1, 1)}, "date_of_birth"),
        ({"date_of_birth": date(1850, 1, 1)}, "date_of_birth"),
    ],
)
def test_details_that_cannot_be_right_are_refused(siriporn, change, field):
    with pytest.raises(LetterDetailsRefused) as refused:
        give_details(siriporn, replace(PASSPORT, **change), actor=siriporn.user)
    assert refused.value.field == field
    assert letters_in_database() == 0


def test_the_same_details_sent_twice_issue_one_letter(siriporn):
    first = give_details(siriporn, PASSPORT, actor=siriporn.user)
    again = give_details(
        siriporn, replace(PASSPORT, passport_number=" aa1234567 "), actor=siriporn.user
    )
    assert again is first and letters_in_database() == 1


def test_corrected_details_replace_the_letter_and_its_code(event, siriporn):
    first = give_details(siriporn, PASSPORT, actor=siriporn.user)
    corrected = give_details(
        siriporn, replace(PASSPORT, passport_number="AA7654321"), actor=siriporn.user
    )

    assert corrected.reference == f"{siriporn.reference}-L2"
    assert not first.is_valid and "corrected" in first.withdrawn_reason
    assert not check_letter(event, code_of(first)).valid
    assert check_letter(event, code_of(corrected)).valid


def test_the_letter_pdf_holds_the_person_the_passport_the_event_and_the_code(siriporn):
    letter = give_details(siriporn, PASSPORT, actor=siriporn.user)

    text = pdf_text(visa_letters.delegate_download(siriporn))

    for expected in (
        "Dutch National Police",  # the letterhead
        f"Reference {letter.reference}",
        "Siriporn Chaiyaporn",
        "Thailand",
        "AA1234567",
        "14 March 1979",
        "Federal Police Cybercrime Unit",  # the organisation
        "5 and 6 November 2014",
        "Conference centre, Amsterdam",
        "fighting online child sexual exploitation",  # the purpose
        "travel and hotel are the delegate's",  # the costs
        "Ruud Bik",
        "Deputy Chief of Police",
        code_of(letter),
        "http://localhost/vgt-2014/verify-letter",
    ):
        assert expected in text, expected


def test_the_delegates_downloads_are_counted_and_not_audited(siriporn):
    letter = give_details(siriporn, PASSPORT, actor=siriporn.user)
    visa_letters.delegate_download(siriporn)
    visa_letters.delegate_download(siriporn)

    assert letter.downloads == 2 and letter.first_downloaded_at <= letter.last_downloaded_at
    actions = db.session.scalars(sa.select(AuditEntry.action)).all()
    assert "visa_letter.downloaded" not in actions


def test_an_organisers_download_is_audited_and_not_counted(siriporn, organiser):
    letter = give_details(siriporn, PASSPORT, actor=siriporn.user)
    assert b"%PDF" in visa_letters.organiser_download(letter, actor=organiser)[:8]

    entry = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "visa_letter.downloaded")
    ).one()
    assert entry.actor_id == organiser.id and entry.details == {
        "letter_reference": letter.reference
    }
    assert letter.downloads == 0


def test_no_letter_is_printed_before_the_organisers_have_worded_it(event, siriporn):
    give_details(siriporn, PASSPORT, actor=siriporn.user)
    event.letter_signatory_name = ""
    with pytest.raises(LetterNotAvailable, match="still preparing the letter.*who signs"):
        visa_letters.delegate_download(siriporn)


def test_a_withdrawn_letter_verifies_as_withdrawn_and_is_not_given_again(
    event, siriporn, organiser
):
    letter = give_details(siriporn, PASSPORT, actor=siriporn.user)
    visa_letters.withdraw_letter(letter, actor=organiser, reason="  Doubts about the passport ")

    assert letter.withdrawn_reason == "Doubts about the passport"
    check = check_letter(event, code_of(letter))
    assert not check.valid
    with pytest.raises(LetterNotAvailable, match="withdrawn"):
        give_details(siriporn, PASSPORT, actor=siriporn.user)
    with pytest.raises(LetterNotAvailable):
        visa_letters.delegate_download(siriporn)


def test_the_check_tells_only_valid_or_withdrawn_the_name_nationality_and_dates(
    event, siriporn, organiser
):
    letter = give_details(siriporn, PASSPORT, actor=siriporn.user)
    visa_letters.withdraw_letter(letter, actor=organiser, reason="Doubts about the passport")

    check = check_letter(event, code_of(letter))

    assert vars(check) == {
        "valid": False,
        "passport_name": "Siriporn Chaiyaporn",
        "nationality": "Thailand",
        "event_name": event.name,
        "starts_on": date(2014, 11, 5),
        "ends_on": date(2014, 11, 6),
    }


def test_organisers_get_no_copy_of_a_withdrawn_letter(siriporn, organiser):
    letter = give_details(siriporn, PASSPORT, actor=siriporn.user)
    visa_letters.withdraw_letter(letter, actor=organiser, reason="Sent by mistake")

    with pytest.raises(LetterNotAvailable, match=f"{letter.reference} is withdrawn"):
        visa_letters.organiser_download(letter, actor=organiser)
    downloads = sa.select(AuditEntry).where(AuditEntry.action == "visa_letter.downloaded")
    assert db.session.scalars(downloads).all() == []


def test_withdrawing_needs_a_reason(siriporn, organiser):
    letter = give_details(siriporn, PASSPORT, actor=siriporn.user)
    with pytest.raises(visa_letters.DomainError, match="Give the reason"):
        visa_letters.withdraw_letter(letter, actor=organiser, reason="  ")
    assert letter.is_valid


def test_a_reissued_letter_has_a_new_code_and_the_old_one_verifies_as_withdrawn(
    event, siriporn, organiser
):
    old = give_details(siriporn, PASSPORT, actor=siriporn.user)
    new = visa_letters.reissue_letter(old, actor=organiser, reason="Lost in the post")

    assert new.reference == f"{siriporn.reference}-L2" and code_of(new) != code_of(old)
    assert (new.passport_name, new.passport_number) == (old.passport_name, old.passport_number)
    assert not check_letter(event, code_of(old)).valid
    assert check_letter(event, code_of(new)).valid


def test_a_withdrawn_letter_can_be_reissued(event, siriporn, organiser):
    old = give_details(siriporn, PASSPORT, actor=siriporn.user)
    visa_letters.withdraw_letter(old, actor=organiser, reason="Sent by mistake")
    new = visa_letters.reissue_letter(old, actor=organiser, reason="Checked again")
    assert new.is_valid and visa_letters.valid_letter(siriporn) is new


@pytest.mark.parametrize("leave", ["cancel", "reject"])
def test_a_letter_is_withdrawn_when_its_registration_stops_being_approved(
    event, siriporn, organiser, leave
):
    letter = give_details(siriporn, PASSPORT, actor=siriporn.user)
    if leave == "cancel":
        workflow.cancel_registration(siriporn, actor=siriporn.user)
    else:
        workflow.reject_registration(siriporn, actor=organiser, reason="Not in post")

    assert not letter.is_valid
    assert letter.withdrawn_reason == f"The registration is {siriporn.status_label.lower()}"
    assert not check_letter(event, code_of(letter)).valid
    with pytest.raises(LetterNotAvailable):
        visa_letters.reissue_letter(letter, actor=organiser, reason="Try")


def test_a_bulk_rejection_withdraws_the_letters(event, siriporn, organiser):
    letter = give_details(siriporn, PASSPORT, actor=siriporn.user)
    run_bulk_action(
        event,
        "reject",
        actor=organiser,
        batch="0123456789abcdef0123456789abcdef",
        references=[siriporn.reference],
        reason="Duplicate",
    )
    assert siriporn.status == Status.REJECTED and not letter.is_valid


def test_the_audit_log_never_holds_passport_details(siriporn, organiser):
    letter = give_details(siriporn, PASSPORT, actor=siriporn.user)
    give_details(siriporn, replace(PASSPORT, passport_number="ZZ9988776"), actor=siriporn.user)
    letter = visa_letters.valid_letter(siriporn)
    visa_letters.organiser_download(letter, actor=organiser)
    letter = visa_letters.reissue_letter(letter, actor=organiser, reason="Lost")
    visa_letters.withdraw_letter(letter, actor=organiser, reason="Cancelled trip")

    entries = db.session.scalars(sa.select(AuditEntry)).all()
    actions = [e.action for e in entries if e.action.startswith("visa_letter.")]
    assert actions.count("visa_letter.issued") == 3 and "visa_letter.withdrawn" in actions
    stored = repr([e.details for e in entries])
    for secret in ("AA1234567", "ZZ9988776", "1979", "Chaiyaporn", "TH'"):
        assert secret not in stored


def test_the_organisers_list_shows_who_asked_and_their_letters(event, siriporn):
    give_details(siriporn, PASSPORT, actor=siriporn.user)
    pending = register(event, "pending@police.example", invitation_letter_needed=True)
    approved(event, "no-letter@police.example")
    gone = register(event, "gone@police.example", invitation_letter_needed=True)
    workflow.cancel_registration(gone, actor=gone.user)

    requests = {r.registration.reference: r for r in visa_letters.letter_requests(event)}

    assert set(requests) == {siriporn.reference, pending.reference}
    assert requests[siriporn.reference].valid.passport_number == "AA1234567"
    assert requests[pending.reference].valid is None


def test_the_delegates_own_letters_are_asked_of_approved_delegates_who_asked_only(
    event, siriporn, organiser
):
    assert visa_letters.letter_request_of(siriporn) == visa_letters.LetterRequest(siriporn, [])
    first = give_details(siriporn, PASSPORT, actor=siriporn.user)
    second = visa_letters.reissue_letter(first, actor=organiser, reason="Lost in the post")

    own = visa_letters.letter_request_of(siriporn)

    assert own.letters == [second, first] and own.valid is second and own.latest is second
    visa_letters.withdraw_letter(second, actor=organiser, reason="Cancelled trip")
    withdrawn = visa_letters.letter_request_of(siriporn)
    assert withdrawn.valid is None and withdrawn.latest is second
    assert visa_letters.letter_request_of(approved(event, "no-letter@police.example")) is None
    workflow.cancel_registration(siriporn, actor=siriporn.user)
    assert visa_letters.letter_request_of(siriporn) is None


def test_long_wording_goes_on_to_a_second_page_with_the_code_on_each(event, siriporn):
    event.letter_purpose = "\n\n".join(["The delegate takes part in every session. " * 12] * 6)
    letter = give_details(siriporn, PASSPORT, actor=siriporn.user)

    pages = PdfReader(io.BytesIO(visa_letters.delegate_download(siriporn))).pages

    assert len(pages) == 2
    for page in pages:
        assert code_of(letter) in page.extract_text()
    assert "Ruud Bik" in pages[1].extract_text()
