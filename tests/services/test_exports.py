"""The exports: participant list, catering summary and security list, escaped and streamed."""

import csv
import dataclasses
import io
import tempfile
from datetime import date

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook
from openpyxl.worksheet._writer import ALL_TEMP_FILES

from conference.extensions import db
from conference.models import AuditEntry
from conference.services.registration import exports, workflow
from conference.services.registration.listing import RegistrationFilter
from tests.factories import make_event, make_organiser, register


def read_csv(export) -> list[list[str]]:
    text = "".join(exports.csv_chunks(export))
    assert text.startswith(exports.CSV_BOM)
    return list(csv.reader(io.StringIO(text.removeprefix(exports.CSV_BOM))))


def read_xlsx(export) -> list[list]:
    with exports.xlsx_file(export) as spool:
        sheet = load_workbook(spool, read_only=True).active
        return [list(row) for row in sheet.iter_rows(values_only=True)]


def approve(registration, organiser):
    workflow.approve_registration(registration, actor=organiser)


def test_a_cell_that_looks_like_a_formula_is_defused():
    for dangerous in ["=HYPERLINK(1)", "+31 20", "-1", "@SUM(A1)", "\tx", "\rx"]:
        assert exports.escape_cell(dangerous) == "'" + dangerous
    assert exports.escape_cell("Europol") == "Europol"
    assert exports.escape_cell(None) == ""
    assert exports.escape_cell("a=b") == "a=b"


def test_the_participant_list_has_the_chosen_columns_in_order(app):
    event = make_event()
    organiser = make_organiser(event)
    register(event, "anna@politie.example", dietary_needs="Halal", invitation_letter_needed=True)
    export = exports.participant_list(
        event, RegistrationFilter(), ["invitation_letter", "email", "reference"], actor=organiser
    )
    header, row = read_csv(export)
    assert header == ["Reference", "Email", "Invitation letter"]
    assert row[1:] == ["anna@politie.example", "yes"]
    assert row[0].startswith("VGT14-")


def test_every_column_can_be_exported(app):
    event = make_event()
    organiser = make_organiser(event)
    europol = event.partners[0].organisation
    registration = register(
        event,
        "bram@europol.example",
        organisation=europol,
        organisation_other=None,
        country="NL",
        accessibility_needs="Step-free access",
    )
    export = exports.participant_list(
        event, RegistrationFilter(), list(exports.PARTICIPANT_COLUMNS), actor=organiser
    )
    header, row = read_csv(export)
    assert dict(zip(header, row, strict=True)) == {
        "Reference": registration.reference,
        "Name": "bram",
        "Email": "bram@europol.example",
        "Organisation": "Europol",
        "Organisation kind": "Intergovernmental organisation",
        "Country": "Netherlands",
        "Job title": "Detective Inspector",
        "Status": "Pending",
        "Dietary needs": "Vegetarian",
        "Accessibility needs": "Step-free access",
        "Invitation letter": "no",
        "Registered at": row[-1],
    }
    assert row[-1]  # a local time, e.g. "1 Oct 2014, 10:00"


def test_a_delegate_without_a_partner_organisation_has_no_kind(app):
    event = make_event()
    organiser = make_organiser(event)
    register(event, "carla@police.example")
    export = exports.participant_list(
        event, RegistrationFilter(), ["organisation", "organisation_kind"], actor=organiser
    )
    assert read_csv(export)[1] == ["Federal Police Cybercrime Unit", ""]


def test_the_participant_list_follows_the_filter(app):
    event = make_event()
    organiser = make_organiser(event)
    approve(register(event, "approved@police.example"), organiser)
    register(event, "pending@police.example")
    export = exports.participant_list(
        event, RegistrationFilter(status="approved"), ["email"], actor=organiser
    )
    assert read_csv(export) == [["Email"], ["approved@police.example"]]
    assert export.row_count == 1


def test_an_export_without_columns_is_refused(app):
    event = make_event()
    organiser = make_organiser(event)
    with pytest.raises(ValueError):
        exports.participant_list(event, RegistrationFilter(), ["password_hash"], actor=organiser)


def test_a_formula_typed_by_a_delegate_is_defused_in_csv_and_xlsx(app):
    event = make_event()
    organiser = make_organiser(event)
    register(event, "mallory@police.example", job_title='=HYPERLINK("http://evil","x")')
    export = exports.participant_list(event, RegistrationFilter(), ["job_title"], actor=organiser)
    assert read_csv(export)[1] == ['\'=HYPERLINK("http://evil","x")']
    assert read_xlsx(export)[1] == ['\'=HYPERLINK("http://evil","x")']


def test_xlsx_drops_control_characters_excel_cannot_store(app):
    event = make_event()
    organiser = make_organiser(event)
    register(event, "bell@police.example", dietary_needs="No nuts\x07")
    export = exports.participant_list(
        event, RegistrationFilter(), ["dietary_needs"], actor=organiser
    )
    assert read_xlsx(export) == [["Dietary needs"], ["No nuts"]]


def test_exporting_personal_data_is_audited(app):
    event = make_event()
    organiser = make_organiser(event)
    register(event, "anna@politie.example")
    register(event, "bram@politie.example")
    exports.participant_list(
        event, RegistrationFilter(q="anna"), ["name", "email"], actor=organiser
    )
    entry = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "export.participants")
    ).one()
    assert entry.actor_id == organiser.id
    assert entry.event_id == event.id
    assert entry.details == {"columns": ["name", "email"], "filters": {"q": "anna"}, "rows": 1}


def test_the_security_list_holds_the_approved_delegates_by_name(app):
    event = make_event()
    organiser = make_organiser(event)
    zoe = register(event, "zoe@police.example", country="US", accessibility_needs="Wheelchair")
    adam = register(event, "adam@police.example")
    register(event, "pending@police.example")
    approve(zoe, organiser)
    approve(adam, organiser)
    export = exports.security_list(event, actor=organiser)
    assert read_csv(export) == [
        ["Name", "Organisation", "Country", "Accessibility needs", "Reference"],
        ["adam", "Federal Police Cybercrime Unit", "Belgium", "", adam.reference],
        ["zoe", "Federal Police Cybercrime Unit", "United States", "Wheelchair", zoe.reference],
    ]
    entry = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "export.security")
    ).one()
    assert entry.details == {"rows": 2}


def test_the_catering_summary_counts_needs_for_each_day(app):
    event = make_event()
    organiser = make_organiser(event)
    for n, needs in enumerate(["Vegetarian", " vegetarian ", "Halal", "", "Vegetarian"]):
        approve(register(event, f"d{n}@police.example", dietary_needs=needs), organiser)
    register(event, "pending@police.example", dietary_needs="Kosher")  # not approved: not fed
    export = exports.catering_summary(event, actor=organiser)
    rows = read_csv(export)
    assert rows[0] == ["Day", "Dietary needs", "Delegates"]
    wednesday = "Wednesday 5 November 2014"
    thursday = "Thursday 6 November 2014"
    assert rows[1:5] == [
        [wednesday, "Vegetarian", "3"],
        [wednesday, "Halal", "1"],
        [wednesday, "No dietary needs", "1"],
        [wednesday, "All approved delegates", "5"],
    ]
    assert [row[0] for row in rows[5:]] == [thursday] * 4
    assert export.row_count == 8
    assert read_xlsx(export)[4] == [wednesday, "All approved delegates", 5]
    entry = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "export.catering")
    ).one()
    assert entry.details == {"delegates": 5}


def test_csv_leaves_in_chunks(app):
    event = make_event()
    organiser = make_organiser(event)
    for n in range(5):
        register(event, f"d{n}@police.example")
    export = exports.participant_list(event, RegistrationFilter(), ["email"], actor=organiser)
    chunks = list(exports.csv_chunks(export, batch=2))
    assert len(chunks) == 3
    assert "".join(chunks).count("@police.example") == 5


def test_the_filename_names_the_event_the_list_and_the_day(app):
    event = make_event()
    organiser = make_organiser(event)
    export = exports.security_list(event, actor=organiser)
    assert export.filename(event, "csv", today=date(2014, 11, 1)) == (
        "vgt-2014-security-2014-11-01.csv"
    )
    assert export.filename(event, "xlsx").startswith("vgt-2014-security-20")


def test_a_failed_xlsx_write_leaves_no_temporary_file(app, monkeypatch):
    event = make_event()
    organiser = make_organiser(event)
    export = exports.security_list(event, actor=organiser)
    spools = []
    real_temporary_file = tempfile.TemporaryFile

    def temporary_file(**kwargs):
        spools.append(real_temporary_file(**kwargs))
        return spools[-1]

    def rows():
        raise OSError("the database went away")
        yield

    monkeypatch.setattr(exports.tempfile, "TemporaryFile", temporary_file)
    openpyxl_files = list(ALL_TEMP_FILES)
    with pytest.raises(OSError):
        exports.xlsx_file(dataclasses.replace(export, rows=rows))
    assert spools[0].closed
    assert ALL_TEMP_FILES == openpyxl_files
