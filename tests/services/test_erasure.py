"""A delegate erases their account: nothing in any table names them afterwards, the events'
counts stay, and the last organiser of an event is refused."""

import json
from collections import Counter

import pytest
import sqlalchemy as sa

from conference.extensions import db
from conference.models import (
    AuditEntry,
    Consent,
    DeliveryState,
    Invitation,
    Message,
    OutboxEmail,
    Registration,
    RegistrationStatus,
    SessionSignup,
    SignupStatus,
    TeamInvitation,
    TeamMember,
    TeamRole,
    User,
    utcnow,
)
from conference.services.errors import DomainError, InvalidCredentials
from conference.services.on_site import badges, visa_letters
from conference.services.people import accounts, team
from conference.services.privacy import consents, directory
from conference.services.privacy.erasure import erase_account
from conference.services.registration import fields, notes, tags, workflow
from conference.services.registration.registration_invitations import Invitee, invite
from tests.delivery_helpers import queued
from tests.factories import (
    PASSWORD,
    approved,
    details,
    make_event,
    make_user,
    next_november,
    register,
    while_registration_is_open,
    workshop,
)
from tests.on_site_helpers import FIRST_DAY, PASSPORT, came_to, check_in, letter_worded

NAME = "Siriporn Chaiyaporn"  # also the name in PASSPORT
EMAIL = "siriporn@dsi.example"
NEW_EMAIL = "s.chaiyaporn@dsi.example"


def everything_about_siriporn(event, organiser) -> Registration:
    """A delegate who did all there is to do, and had all there is done about her."""
    letter_worded(event)
    user = make_user(EMAIL, name=NAME)
    invitation, _ = invite(event, Invitee(EMAIL, NAME, "DSI Thailand", "TH"), actor=organiser)
    registration = workflow.submit_registration(
        event,
        user,
        details(
            organisation_other="Department of Special Investigation (Siriporn's unit)",
            country="TH",
            job_title="Chaiyaporn's deputy",
            dietary_needs="Halal",
            accessibility_needs="Wheelchair",
            invitation_letter_needed=True,
        ),
        now=while_registration_is_open(event),
    )
    invitation.registration_id = registration.id
    workflow.approve_registration(registration, actor=organiser)
    visa_letters.give_details(registration, PASSPORT, actor=user)
    badges.badge_of(registration, actor=organiser)
    check_in(registration, FIRST_DAY)
    session = workshop(event, "Victim identification lab", capacity=20)
    db.session.add(
        SessionSignup(
            session_id=session.id, registration_id=registration.id, status=SignupStatus.CONFIRMED
        )
    )
    came_to(registration, session)
    notes.add_note(registration, f"{NAME} knows the DSI's hotline", actor=organiser)
    tag = tags.create_tag(event, "Speaker", "blue", actor=organiser)
    tags.add_tag(tag, [registration], actor=organiser)
    team.invite_member(event, EMAIL, "moderator", actor=organiser)
    db.session.add(TeamMember(event_id=event.id, user_id=user.id, role=TeamRole.VIEWER))
    accounts.request_email_change(user, NEW_EMAIL, PASSWORD)
    db.session.commit()
    return registration


def text_columns(table: sa.Table) -> list[sa.Column]:
    return [c for c in table.columns if isinstance(c.type, sa.String | sa.Text | sa.JSON)]


def where_found(*needles: str) -> list[str]:
    """Every table and column, of every row, that holds one of `needles` (in any case)."""
    found = []
    for table in db.metadata.sorted_tables:
        columns = text_columns(table)
        if not columns:
            continue
        for row in db.session.execute(sa.select(*columns)):
            for column, value in zip(columns, row, strict=True):
                text = json.dumps(value, ensure_ascii=False) if value is not None else ""
                found += [
                    f"{table.name}.{column.name}: {needle}"
                    for needle in needles
                    if needle.lower() in text.lower()
                ]
    return found


NEEDLES = ("Siriporn", "Chaiyaporn", EMAIL, NEW_EMAIL, PASSPORT.passport_number)


def test_after_erasure_no_table_and_no_column_names_the_person(event, organiser):
    everything_about_siriporn(event, organiser)
    user = accounts.find_user(EMAIL)
    assert len(where_found(*NEEDLES)) > 10  # the search sees them where they were

    pseudonym = erase_account(user, PASSWORD)
    db.session.commit()

    assert where_found(*NEEDLES) == []
    erased = db.session.get(User, user.id)
    assert erased.name == pseudonym and pseudonym.startswith("Erased person ")
    # The audit log keeps what happened, by the pseudonym.
    entries = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.actor_id == user.id))
    assert {"registration.submitted", "user.erased"} <= {e.action for e in entries}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(TeamMember)) == 1
    assert db.session.scalars(sa.select(TeamInvitation)).all() == []


def test_erasure_keeps_the_counts_by_status_and_country(event, organiser):
    everything_about_siriporn(event, organiser)
    register(event, "pending@police.example", country="BE")

    def counts():
        rows = db.session.execute(sa.select(Registration.status, Registration.country))
        return Counter(tuple(row) for row in rows)

    before = counts()
    erase_account(accounts.find_user(EMAIL), PASSWORD)
    db.session.commit()
    assert counts() == before == Counter({("approved", "TH"): 1, ("pending", "BE"): 1})
    [kept] = db.session.scalars(sa.select(Registration).where(Registration.country == "TH"))
    assert (kept.job_title, kept.dietary_needs, kept.organisation_other) == ("", "", "")
    assert kept.anonymised_at is not None
    invitation = db.session.scalars(sa.select(Invitation)).one()
    assert invitation.email.endswith("@erased.invalid")


def test_an_erased_place_at_an_event_to_come_goes_to_the_waiting_list(app):
    event = make_event(capacity=1, **next_november())
    leaving = approved(event, "leaving@police.example")
    waiting = register(event, "waiting@police.example")
    workflow.waitlist_registration(waiting, actor=None)
    db.session.commit()
    erase_account(leaving.user, PASSWORD)
    db.session.commit()
    assert db.session.get(Registration, leaving.id).status == RegistrationStatus.CANCELLED
    assert db.session.get(Registration, waiting.id).status == RegistrationStatus.APPROVED


def test_an_erased_account_logs_in_no_more(event, delegate):
    erase_account(delegate, PASSWORD)
    db.session.commit()
    with pytest.raises(InvalidCredentials):
        accounts.authenticate("delegate@police.example", PASSWORD)


def test_the_wrong_password_erases_nothing(event, delegate):
    with pytest.raises(DomainError, match="not your password"):
        erase_account(delegate, "not the password at all")
    db.session.rollback()
    assert accounts.find_user("delegate@police.example") is not None


def test_the_last_organiser_of_an_event_is_refused(event, organiser):
    with pytest.raises(DomainError, match="last organiser of VGT 2014"):
        erase_account(organiser, PASSWORD)
    db.session.rollback()
    assert db.session.get(User, organiser.id).email == "organiser@politie.example"


def test_an_organiser_with_a_colleague_may_go(event, organiser):
    colleague = make_user("colleague@politie.example")
    db.session.add(TeamMember(event_id=event.id, user_id=colleague.id, role=TeamRole.ORGANISER))
    db.session.commit()
    erase_account(organiser, PASSWORD, now=utcnow())
    db.session.commit()
    assert accounts.find_user("organiser@politie.example") is None
    assert [m.user_id for m in db.session.scalars(sa.select(TeamMember))] == [colleague.id]


def test_an_erased_delegate_leaves_the_participant_directory_at_once(app, event):
    erased, other = approved(event, EMAIL), approved(event, "other@police.example")
    for registration in (erased, other):
        consent = fields.BY_NAME["consent_participant_list"]
        consents.change_consent(registration, consent, True, actor=registration.user)
    assert len(directory.listed_delegates(event)) == 2

    erase_account(erased.user, PASSWORD)

    assert [d.name for d in directory.listed_delegates(event)] == [other.user.name]
    assert [c.registration_id for c in db.session.scalars(sa.select(Consent))] == [other.id]


def test_erasure_deletes_the_emails_to_the_person_and_their_copies_of_messages(event, organiser):
    """By account and by address: an email to an address the account no longer has (changed
    before the audit log kept earlier addresses) goes with the account all the same."""
    leaving = approved(event, EMAIL)
    staying = approved(event, "kim@police.example")
    message = Message(event_id=event.id, subject="Your hotel", body="Dear {name}", state="sent")
    db.session.add(message)
    db.session.flush()
    queued(event, EMAIL, user=leaving.user, message=message, kind="message")
    queued(event, "old.address@dsi.example", user=leaving.user, state=DeliveryState.FAILED)
    queued(None, EMAIL, kind="reset_password")  # to her address, with no account named
    kept = queued(event, staying.user.email, user=staying.user, message=message, kind="message")
    db.session.commit()

    erase_account(leaving.user, PASSWORD)
    db.session.commit()

    left = db.session.scalars(sa.select(OutboxEmail)).all()
    assert kept.id in {e.id for e in left}
    assert {e.recipient for e in left} == {"kim@police.example"}  # nothing of hers
    recipients = db.session.scalars(
        sa.select(OutboxEmail.recipient).where(OutboxEmail.message_id == message.id)
    ).all()
    assert recipients == ["kim@police.example"]  # the message and the others' copies stay
    assert db.session.get(Message, message.id) is not None
