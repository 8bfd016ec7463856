"""Importing registrations from CSV: a dry run that finds every bad row, then all or none."""

import pytest
import sqlalchemy as sa

from conference.extensions import db
from conference.models import AuditEntry, OutboxEmail, Registration, User
from conference.services.people import accounts
from conference.services.registration import people_csv, registration_import, workflow
from tests.factories import make_event, make_organiser, make_user, register

HEADER = (
    "name,email,organisation,country,job_title,dietary_needs,accessibility_needs,invitation_letter"
)


def csv_file(*rows: str, header: str = HEADER, bom: bool = False) -> bytes:
    text = "\n".join([header, *rows]) + "\n"
    return ("\ufeff" if bom else "").encode() + text.encode()


GOOD = [
    "Anna de Vries,Anna@Politie.example,Politie,NL,Detective,Vegetarian,,no",
    "Bram Janssen,bram@europol.example,europol,Netherlands,Analyst,,Wheelchair,yes",
    "Chloé Martin,chloe@gendarmerie.example,Gendarmerie nationale,France,Officer,,,",
]


@pytest.fixture
def event(app):
    return make_event()


@pytest.fixture
def organiser(event):
    return make_organiser(event)


def registrations_of(event) -> list[Registration]:
    return db.session.scalars(
        sa.select(Registration).where(Registration.event_id == event.id).order_by(Registration.id)
    ).all()


def test_a_good_file_passes_the_dry_run_and_changes_nothing(event):
    report = registration_import.check_import(event, csv_file(*GOOD))
    assert report.ok
    assert [row.line for row in report.rows] == [2, 3, 4]
    anna, bram, chloe = report.rows
    assert anna.email == "anna@politie.example"
    assert anna.details["organisation"].name == "Dutch National Police"  # its short name
    assert bram.details["organisation"].name == "Europol" and bram.details["country"] == "NL"
    assert bram.details["invitation_letter_needed"]
    assert not anna.details["invitation_letter_needed"]
    assert chloe.details["organisation"] is None
    assert chloe.details["organisation_other"] == "Gendarmerie nationale"
    assert chloe.details["country"] == "FR" and chloe.name == "Chloé Martin"
    assert registrations_of(event) == []


def test_the_dry_run_reports_every_bad_row_with_its_line_and_reason(event):
    register(event, "taken@police.example")
    report = registration_import.check_import(
        event,
        csv_file(
            GOOD[0],
            ",nameless@police.example,Politie,NL,Officer,,,",
            "Bad Email,Not-An-Address,Politie,NL,Officer,,,",
            "Lost,lost@police.example,Politie,Atlantis,Officer,,,",
            "Again,anna@politie.example,Politie,NL,Officer,,,",
            "Taken,TAKEN@police.example,Politie,NL,Officer,,,",
            "Maybe,maybe@police.example,Politie,NL,Officer,,,perhaps",
            ",,,,,,,",  # a blank row: skipped, as spreadsheets leave them
            "Empty,,,,,,,",
            "Long,long@police.example,Politie,NL," + "x" * 201 + ",,,",
            "Extra,extra@police.example,Politie,NL,Officer,,,no,surplus",
        ),
    )
    assert [(error.line, error.reason) for error in report.errors] == [
        (3, "The name is missing."),
        (4, "“Not-An-Address” is not a valid email address."),
        (5, "Unknown country “Atlantis”."),
        (6, "The email address is also on line 2."),
        (7, "taken@police.example is already registered."),
        (8, "Invitation_letter must be yes or no."),
        (
            10,
            "The email address is missing; the organisation is missing; the country is missing; "
            "the job title is missing.",
        ),
        (11, "Job title is longer than 200 characters."),
        (12, "More cells than the header has columns."),
    ]
    assert [row.line for row in report.rows] == [2]


def test_a_country_may_be_a_code_or_an_english_name(event):
    rows = [
        "A,a@p.example,Politie,be,Officer,,,",
        "B,b@p.example,Politie,United Kingdom,Officer,,,",
        "C,c@p.example,Politie,germany,Officer,,,",
    ]
    report = registration_import.check_import(event, csv_file(*rows))
    assert [row.details["country"] for row in report.rows] == ["BE", "GB", "DE"]


def test_a_cancelled_registration_does_not_block_a_new_one(event, organiser):
    cancelled = register(event, "back@police.example")
    workflow.cancel_registration(cancelled, actor=cancelled.user)
    report = registration_import.check_import(
        event, csv_file("Back,back@police.example,Politie,NL,Officer,,,")
    )
    assert report.ok


def test_a_file_with_a_bom_and_semicolons_is_read(event):
    data = csv_file(
        "Anna;anna@politie.example;Politie;NL;Detective;;;yes",
        header=HEADER.replace(",", ";"),
        bom=True,
    )
    [row] = registration_import.check_import(event, data).rows
    assert row.name == "Anna" and row.details["invitation_letter_needed"]


def test_only_the_required_columns_are_needed(event):
    data = csv_file(
        "Anna,anna@politie.example,Politie,NL,Detective",
        header="Name,Email,Organisation,Country,Job title",
    )
    [row] = registration_import.check_import(event, data).rows
    assert row.details["dietary_needs"] == "" and not row.details["invitation_letter_needed"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe", "not UTF-8"),
        (b"name,email\x00,organisation", "not a CSV file"),
        (b"name,email,organisation\nA,a@p.example,Politie\n", "missing: country, job_title"),
        (csv_file(GOOD[0], header=HEADER + ",password"), "Unknown columns: password"),
        (csv_file(), "no registrations"),
        (b"", "missing: name"),
        (csv_file('"Anna,anna@p.example'), "not a readable CSV file"),
        (b"x" * (people_csv.MAX_FILE_SIZE + 1), "larger than 5 MB"),
    ],
)
def test_a_file_that_is_not_a_registrations_csv_is_refused(event, data, message):
    with pytest.raises(people_csv.ImportRefused) as refused:
        registration_import.check_import(event, data)
    assert message in refused.value.message
    assert refused.value.status_code == 400


def test_the_import_creates_accounts_and_pending_registrations(event, organiser):
    existing = make_user("bram@europol.example", name="Bram J.")
    report = registration_import.import_registrations(
        event, csv_file(*GOOD), actor=organiser, notify=False
    )
    assert report.imported
    anna, bram, chloe = registrations_of(event)
    assert {r.status for r in (anna, bram, chloe)} == {"pending"}
    assert bram.user is existing  # an account already there is used, not duplicated
    assert anna.reference.startswith("VGT14-")
    assert anna.user.name == "Anna de Vries" and not anna.user.is_verified
    assert anna.dietary_needs == "Vegetarian" and bram.accessibility_needs == "Wheelchair"
    assert anna.consents == []  # nobody consents for another
    with pytest.raises(accounts.InvalidCredentials):
        accounts.authenticate("anna@politie.example", anna.user.password_hash)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxEmail)) == 0
    actions = db.session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions.count("user.imported") == 2
    assert actions.count("registration.imported") == 3
    summary = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "registration.import")
    ).one()
    assert summary.actor_id == organiser.id
    assert summary.details == {"rows": 3, "emailed": False}


def test_imported_people_are_emailed_only_when_the_organiser_asks(event, organiser):
    registration_import.import_registrations(event, csv_file(GOOD[0]), actor=organiser, notify=True)
    [email] = db.session.scalars(sa.select(OutboxEmail)).all()
    assert email.recipient == "anna@politie.example"
    assert "have registered you" in email.subject
    assert "choose a password for your account here: http://localhost/account/reset" in (
        email.body_text
    )
    assert "http://localhost/vgt-2014/registration" in email.body_text


def test_someone_with_an_account_is_not_asked_to_choose_a_password(event, organiser):
    make_user("anna@politie.example")
    registration_import.import_registrations(event, csv_file(GOOD[0]), actor=organiser, notify=True)
    [email] = db.session.scalars(sa.select(OutboxEmail)).all()
    assert "choose a password" not in email.body_text


def test_a_file_with_a_bad_row_imports_nothing(event, organiser):
    with pytest.raises(people_csv.ImportRefused) as refused:
        registration_import.import_registrations(
            event,
            csv_file(*GOOD, "Lost,lost@police.example,Politie,Atlantis,Officer,,,"),
            actor=organiser,
            notify=True,
        )
    assert "1 of 4 rows have errors" in refused.value.message
    assert refused.value.report.errors[0].line == 5
    assert registrations_of(event) == []
    assert (
        db.session.scalars(sa.select(User).where(User.email == "anna@politie.example")).all() == []
    )


def test_someone_registering_meanwhile_stops_the_whole_import(event, organiser, monkeypatch):
    real_check = registration_import.check_import

    def check_then_someone_registers(event, data):
        report = real_check(event, data)
        register(event, "chloe@gendarmerie.example")
        return report

    monkeypatch.setattr(registration_import, "check_import", check_then_someone_registers)
    with pytest.raises(people_csv.ImportRefused) as refused:
        registration_import.import_registrations(
            event, csv_file(*GOOD), actor=organiser, notify=False
        )
    assert "registered or signed up meanwhile" in refused.value.message
    assert [r.user.email for r in registrations_of(event)] == ["chloe@gendarmerie.example"]
