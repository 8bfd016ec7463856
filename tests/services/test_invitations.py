"""Invitations to register: a code that registers one person once; events by invitation only;
invitee lists imported from CSV with a dry run, then all or nobody."""

import re

import pytest
import sqlalchemy as sa

from conference.extensions import db
from conference.models import AuditEntry, Invitation, InvitationState, OutboxEmail, Registration
from conference.services.errors import (
    DomainError,
    InvalidToken,
    InvalidTransition,
    InvitationRequired,
    NotFound,
)
from conference.services.registration import (
    invitee_import,
    people_csv,
    registration_invitations,
    workflow,
)
from conference.services.registration.registration_invitations import Invitee
from tests.factories import (
    details,
    make_event,
    make_organiser,
    make_user,
    register,
    while_registration_is_open,
)

ANNA = Invitee("Anna@Politie.example", "Anna de Vries", "Politie", "NL")


@pytest.fixture
def event(app):
    return make_event()


@pytest.fixture
def organiser(event):
    return make_organiser(event)


def code_in(email: OutboxEmail) -> str:
    return re.search(r"invitation code is ([A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4})", email.body_text)[
        1
    ]


def emails_to(address: str) -> list[OutboxEmail]:
    return db.session.scalars(
        sa.select(OutboxEmail).where(OutboxEmail.recipient == address).order_by(OutboxEmail.id)
    ).all()


def submit(event, email, code=None):
    """A verified delegate registers, with savepoint semantics as a request has."""
    user = make_user(email, name=email.partition("@")[0])
    return workflow.submit_registration(
        event, user, details(), invitation_code=code, now=while_registration_is_open(event)
    )


def test_an_invitation_emails_a_code_and_keeps_only_its_hash(event, organiser):
    invitation, code = registration_invitations.invite(event, ANNA, actor=organiser)
    db.session.flush()

    assert invitation.email == "anna@politie.example"
    assert invitation.state == InvitationState.OPEN
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", code)
    assert code.replace("-", "") not in invitation.code_hash
    (email,) = emails_to("anna@politie.example")
    assert code_in(email) == code
    assert f"/vgt-2014/register?code={code}" in email.body_text
    assert "Dear Anna de Vries" in email.body_text
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "invitation.sent"))
    assert entry.one().actor_id == organiser.id


def test_the_code_registers_one_person_once(event, organiser):
    _, code = registration_invitations.invite(event, ANNA, actor=organiser)
    # Typed by hand: lower case, spaces instead of dashes.
    registration = submit(event, "anna.private@example.org", code.lower().replace("-", " "))
    invitation = db.session.scalars(sa.select(Invitation)).one()
    assert invitation.state == InvitationState.USED
    assert invitation.registration_id == registration.id

    with pytest.raises(InvalidToken, match="used already"):
        with db.session.begin_nested():
            submit(event, "colleague@politie.example", code)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)) == 1


def test_an_event_by_invitation_only_needs_a_valid_code(event, organiser):
    event.invitation_only = True
    with pytest.raises(InvitationRequired, match="by invitation only"):
        submit(event, "uninvited@example.org")
    with pytest.raises(InvalidToken, match="not an invitation code for VGT 2014"):
        with db.session.begin_nested():
            submit(event, "guesser@example.org", "AAAA-BBBB-CCCC")

    _, code = registration_invitations.invite(event, ANNA, actor=organiser)
    assert submit(event, "anna@politie.example", code).status == "pending"


def test_a_code_for_another_event_does_not_work(event, organiser):
    other = make_event(slug="vgt-2015")
    _, code = registration_invitations.invite(other, ANNA, actor=organiser)
    event.invitation_only = True
    with pytest.raises(InvalidToken, match="not an invitation code"):
        submit(event, "anna@politie.example", code)


def test_sending_again_gives_a_new_code_and_the_old_one_stops_working(event, organiser):
    _, old = registration_invitations.invite(event, ANNA, actor=organiser)
    invitation, new = registration_invitations.invite(
        event, Invitee("anna@politie.example", "Anna de Vries"), actor=organiser
    )
    assert new != old
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Invitation)) == 1
    assert len(emails_to("anna@politie.example")) == 2
    with pytest.raises(InvalidToken):
        with db.session.begin_nested():
            submit(event, "anna@politie.example", old)
    assert submit(event, "anna2@politie.example", new).reference


def test_a_withdrawn_invitation_no_longer_registers(event, organiser):
    invitation, code = registration_invitations.invite(event, ANNA, actor=organiser)
    registration_invitations.withdraw(event, invitation.id, actor=organiser)
    assert invitation.state == InvitationState.REVOKED
    with pytest.raises(InvalidToken, match="withdrawn"):
        submit(event, "anna@politie.example", code)


def test_a_used_invitation_cannot_be_withdrawn_and_another_events_is_not_found(event, organiser):
    invitation, code = registration_invitations.invite(event, ANNA, actor=organiser)
    submit(event, "anna@politie.example", code)
    with pytest.raises(InvalidTransition, match="has registered"):
        registration_invitations.withdraw(event, invitation.id, actor=organiser)
    other = make_event(slug="vgt-2015")
    with pytest.raises(NotFound):
        registration_invitations.withdraw(other, invitation.id, actor=organiser)


def test_someone_registered_is_not_invited_until_they_cancel(event, organiser):
    registration = register(event, "anna@politie.example")
    with pytest.raises(DomainError, match="already registered"):
        registration_invitations.invite(event, ANNA, actor=organiser)
    workflow.cancel_registration(registration, actor=registration.user)
    invitation, _ = registration_invitations.invite(event, ANNA, actor=organiser)
    assert invitation.state == InvitationState.OPEN


# --- importing invitees -----------------------------------------------------------------------


def invitee_file(*rows: str, header="name,email,organisation,country") -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()


GOOD = [
    "Anna de Vries,anna@politie.example,Politie,NL",
    "Bram Janssen,bram@europol.example,Europol,Netherlands",
    "Chloé Martin,chloe@gendarmerie.example,,",
]


def test_the_invitee_dry_run_reports_every_bad_row_and_sends_nothing(event, organiser):
    register(event, "taken@police.example")
    registration_invitations.invite(event, Invitee("open@police.example", "Olaf"), actor=organiser)
    sent_before = db.session.scalar(sa.select(sa.func.count()).select_from(OutboxEmail))

    report = invitee_import.check_invitees(
        event,
        invitee_file(
            *GOOD,
            ",nameless@police.example,,",
            "Bad Address,not-an-address,,",
            "Twice,Anna@Politie.example,,",
            "Nowhere,nowhere@police.example,,Atlantis",
            "Taken,taken@police.example,,",
            "Open,open@police.example,,",
        ),
    )

    assert [(error.line, error.reason) for error in report.errors] == [
        (5, "The name is missing."),
        (6, "“not-an-address” is not a valid email address."),
        (7, "The email address is also on line 2."),
        (8, "Unknown country “Atlantis”."),
        (9, "taken@police.example is already registered."),
        (
            10,
            "open@police.example has an invitation already; send it again from the "
            "Invitations page, or remove the row.",
        ),
    ]
    assert [row.line for row in report.rows] == [2, 3, 4]
    assert report.rows[1].invitee.country == "NL"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxEmail)) == sent_before


def test_an_invitee_file_with_a_bad_row_invites_nobody(event, organiser):
    bad_file = invitee_file(*GOOD, "No Email,,,")
    with pytest.raises(people_csv.ImportRefused, match="Nobody was invited: 1 of 4") as refused:
        invitee_import.import_invitees(event, bad_file, actor=organiser)
    assert refused.value.report.errors[0].line == 5
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Invitation)) == 0


def test_a_good_invitee_file_invites_everyone_with_their_own_code(event, organiser):
    report = invitee_import.import_invitees(event, invitee_file(*GOOD), actor=organiser)
    assert report.imported
    listed = registration_invitations.invitations_of(event)
    assert sorted(i.email for i in listed) == [
        "anna@politie.example",
        "bram@europol.example",
        "chloe@gendarmerie.example",
    ]
    codes = {code_in(emails_to(i.email)[0]) for i in listed}
    assert len(codes) == 3
    actions = db.session.scalars(sa.select(AuditEntry.action)).all()
    assert actions.count("invitation.sent") == 3 and "invitation.import" in actions


def test_an_invitee_file_needs_name_and_email_columns(event):
    with pytest.raises(people_csv.ImportRefused, match="missing: email"):
        invitee_import.check_invitees(event, invitee_file("Anna", header="name"))
    with pytest.raises(people_csv.ImportRefused, match="Unknown columns: job_title"):
        invitee_import.check_invitees(
            event, invitee_file("A,a@b.example,x", header="name,email,job_title")
        )
