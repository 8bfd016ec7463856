"""The privacy notice in versions, the separate consents and the participant directory."""

import json

import pytest

from conference.demo import PRIVACY_NOTICE
from conference.models import ConsentPurpose, DeliveryState
from conference.models import RegistrationStatus as Status
from conference.services.errors import NotAllowed
from conference.services.privacy import consents, data_export, directory, notices
from conference.services.registration import fields, workflow
from tests.delivery_helpers import queued
from tests.environment import audited
from tests.factories import (
    approved,
    details,
    make_event,
    make_organiser,
    make_user,
    register,
    while_registration_is_open,
)

NOTICE = notices.NoticeText(
    controller="The Dutch National Police, The Hague.",
    purpose="Vetting, badges and the check-in desk.",
    legal_basis="A task in the public interest.",
    retention="Three months after the conference.",
    contact="privacy@politie.example",
    rights="Access, correction, erasure; a complaint to the Autoriteit Persoonsgegevens.",
)


@pytest.fixture
def organiser(event):
    return make_organiser(event)


def consent_field(purpose: str) -> fields.RegistrationField:
    return fields.BY_NAME[f"consent_{purpose}"]


# --- the notice ---------------------------------------------------------------------------------


def test_each_saved_change_of_the_notice_is_a_new_version(event, organiser):
    first = notices.publish_notice(event, NOTICE, actor=organiser)
    assert first.version == 1
    assert notices.publish_notice(event, NOTICE, actor=organiser) is None  # nothing changed
    longer = notices.NoticeText(**{**NOTICE.__dict__, "retention": "One year."})
    second = notices.publish_notice(event, longer, actor=organiser)
    assert second.version == 2 and notices.current_notice(event) == second
    assert first.retention == "Three months after the conference."  # the old one stays as it was
    [_, entry] = audited("privacy_notice.published")
    assert entry.details == {"version": 2, "changed": ["How long we keep it"]}


def test_a_notice_must_say_every_part(event, organiser):
    blank = notices.NoticeText(**{**NOTICE.__dict__, "legal_basis": "  ", "rights": ""})
    with pytest.raises(notices.NoticeIncomplete) as refused:
        notices.publish_notice(event, blank, actor=organiser)
    assert refused.value.field == "legal_basis"
    assert "On what legal basis, Your rights" in refused.value.message


def test_registering_needs_the_notice_in_force_read_and_stores_its_version(event, organiser):
    notices.publish_notice(event, NOTICE, actor=organiser)
    delegate = make_user()
    moment = while_registration_is_open(event)
    for read in (None, 7):
        with pytest.raises(notices.NoticeNotRead):
            workflow.submit_registration(event, delegate, details(), moment, notice_read=read)
    registration = workflow.submit_registration(event, delegate, details(), moment, notice_read=1)
    assert registration.privacy_notice_version == 1
    assert registration.privacy_notice_read_at == moment
    assert audited("registration.submitted")[0].details["privacy_notice_version"] == 1


def test_a_new_version_asks_again_and_says_what_changed(event, organiser):
    notices.publish_notice(event, NOTICE, actor=organiser)
    registration = workflow.submit_registration(
        event, make_user(), details(), while_registration_is_open(event), notice_read=1
    )
    assert notices.unread_change(registration) is None
    changed = {**NOTICE.__dict__, "contact": "dpo@politie.example", "purpose": "Also photos."}
    second = notices.publish_notice(event, notices.NoticeText(**changed), actor=organiser)
    change = notices.unread_change(registration)
    assert change.read == 1 and change.current == second
    assert change.changed == ["What we use it for", "Whom to ask"]
    assert notices.mark_read(registration, second, actor=registration.user)
    assert notices.unread_change(registration) is None
    assert not notices.mark_read(registration, second, actor=registration.user)
    assert [e.details["version"] for e in audited("registration.privacy_notice_read")] == [2]


def test_a_registration_from_before_the_first_notice_is_asked_to_read_all_of_it(event, organiser):
    registration = register(event, "early@police.example")
    assert registration.privacy_notice_version is None
    notices.publish_notice(event, NOTICE, actor=organiser)
    change = notices.unread_change(registration)
    assert change.read is None and change.changed == list(notices.HEADINGS.values())


# --- consents -----------------------------------------------------------------------------------


def test_the_declared_consents_are_the_purposes_the_database_knows():
    assert {f.purpose for f in fields.CONSENTS} == {p.value for p in ConsentPurpose}
    assert all(f.version for f in fields.CONSENTS)


def test_no_consent_is_given_unless_the_delegate_gives_it(event):
    untouched = workflow.submit_registration(
        event,
        make_user(),
        fields.RegistrationDetails(
            organisation_other="Federal Police", country="BE", job_title="Detective"
        ),
        while_registration_is_open(event),
    )
    assert untouched.consents == []
    assert not any(f.value_of(untouched) for f in fields.CONSENTS)


def test_each_consent_is_given_and_withdrawn_on_its_own_with_its_version_and_time(event):
    registration = approved(event, "anna@police.example")
    hotel, photos = consent_field("hotel"), consent_field("photos")
    assert consents.change_consent(registration, hotel, True, actor=registration.user)
    assert not consents.change_consent(registration, hotel, True, actor=registration.user)
    assert registration.consents_to("hotel") and not registration.consents_to("photos")
    consent = registration.consent_to("hotel")
    assert consent.version == hotel.version and consent.given_at is not None
    assert consents.change_consent(registration, hotel, False, actor=registration.user)
    assert consent.withdrawn_at is not None and not registration.consents_to("hotel")
    assert not consents.change_consent(registration, photos, False, actor=registration.user)
    for action in ("registration.consent_given", "registration.consent_withdrawn"):
        assert [e.details["consent"] for e in audited(action)] == ["Hotel"]


# --- the directory ------------------------------------------------------------------------------


def listed(event, search=""):
    return [(p.name, p.email) for p in directory.listed_delegates(event, search)]


def test_the_directory_lists_approved_delegates_who_consented_by_name(event):
    zoe = approved(event, "zoe@police.example")
    approved(event, "anna@police.example")
    register(event, "pending@police.example")  # consented, but not approved
    approved(event, "bram@police.example").user.name = "Bram"  # sorted whatever the case
    declined = approved(event, "declined@police.example")
    declined.consents.clear()  # never consented
    consents.change_consent(zoe, consent_field("directory_email"), True, actor=zoe.user)
    assert listed(event) == [("anna", None), ("Bram", None), ("zoe", "zoe@police.example")]


def test_a_withdrawal_takes_the_delegate_out_of_the_directory_at_once(event):
    anna = approved(event, "anna@police.example")
    consents.change_consent(anna, consent_field("directory_email"), True, actor=anna.user)
    assert listed(event) == [("anna", "anna@police.example")]
    consents.change_consent(anna, consent_field("participant_list"), False, actor=anna.user)
    assert listed(event) == []  # the email consent alone lists nobody


def test_the_directory_searches_names_organisations_and_countries(event):
    approved(event, "anna@police.example")  # Federal Police Cybercrime Unit, Belgium
    nl = register(event, "bram@police.example", country="NL", organisation_other="KLPD")
    workflow.change_status(nl, Status.APPROVED, actor=None, now=nl.created_at)
    assert listed(event, "bram") == [("bram", None)]
    assert listed(event, "cybercrime") == [("anna", None)]
    assert listed(event, "netherlands") == [("bram", None)]
    assert listed(event, "belg") == [("anna", None)]
    assert listed(event, "100%") == []


def test_only_approved_delegates_of_the_event_read_its_directory(event):
    other_event = make_event(slug="vgt-2015")
    elsewhere = approved(other_event, "elsewhere@police.example")
    pending = register(event, "pending@police.example")
    for user in (elsewhere.user, pending.user):
        with pytest.raises(NotAllowed):
            directory.require_directory_reader(event, user)
    directory.require_directory_reader(event, approved(event, "anna@police.example").user)
    assert listed(event) == [("anna", None)]  # not the other event's delegate


# --- what this conference stores of its emails --------------------------------------------------


def test_the_data_export_lists_the_emails_sent_without_the_words_of_account_emails(event):
    registration = approved(event, "anna@garda.example")
    user = registration.user
    queued(
        event,
        user.email,
        registration=registration,
        state=DeliveryState.SENT,
        subject="VGT 2014: approved",
        body="Your place is confirmed.",
    )
    queued(
        None,
        user.email,
        user=user,
        kind="reset_password",
        subject="Choose a new password",
        body="http://localhost/account/reset/SECRET-RESET-TOKEN",
    )
    # To an address she had before, found by her account.
    queued(event, "a.byrne@garda.example", user=user, state=DeliveryState.FAILED, subject="Hotel")
    queued(event, "someone@else.example", subject="Not hers")

    emails = {e["subject"]: e for e in data_export.data_of(user)["emails"]}

    assert {"VGT 2014: approved", "Choose a new password", "Hotel"} <= set(emails)
    assert "Not hers" not in emails
    approval = emails["VGT 2014: approved"]
    assert approval["state"] == "sent" and approval["sent_at"] and approval["queued_at"]
    assert approval["text"] == "Your place is confirmed.\n"
    assert "SECRET-RESET-TOKEN" not in json.dumps(emails)
    assert emails["Choose a new password"]["text"] == data_export.WORDS_LEFT_OUT
    assert emails["Hotel"]["state"] == "failed" and "5.1.1" in emails["Hotel"]["mail_server_answer"]
    assert not any("body_html" in e or "message_id_header" in e for e in emails.values())


def test_the_demo_notice_says_the_emails_are_kept_until_the_purge():
    assert "emails we send you" in PRIVACY_NOTICE.retention
    assert "kept until then" in PRIVACY_NOTICE.retention
