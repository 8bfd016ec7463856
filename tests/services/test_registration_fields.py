"""The registration's fields are declared once: every reader lists exactly the declared fields.

A new field is a column on `Registration`, its migration and one entry in `fields.FIELDS`; these
tests fail when a column is missing from the declaration or a reader (the form, the workflow,
the import, the demo, the exports, the pages) leaves a declared field out.
"""

import re

import sqlalchemy as sa

from conference.delegate.forms import NewRegistrationForm, registration_form_class
from conference.demo import seed_demo
from conference.extensions import db
from conference.models import Registration
from conference.models import RegistrationStatus as Status
from conference.services.registration import exports, fields, registration_import, workflow
from conference.services.registration.fields import ExportList, Kind
from tests.factories import details, make_organiser, register

# The registration's own columns, which the workflow fills in; every other is the delegate's.
WORKFLOW_COLUMNS = {
    "id",
    "event_id",
    "user_id",
    "reference",
    "status",
    "privacy_notice_version",
    "privacy_notice_read_at",
    "decided_by_id",
    "decided_at",
    "decision_reason",
    "waitlisted_at",
    "cancelled_at",
    "agenda_feed_version",
    "anonymised_at",
    "created_at",
    "updated_at",
}
# The form's own fields, not a registration's.
FORM_MACHINERY = {"csrf_token", "offered", "invitation_code"}
# Columns of the participant list that are not the delegate's answers.
LIST_COLUMNS = {"reference", "name", "email", "status", "registered_at"}


def value_names(declared=fields.FIELDS) -> set[str]:
    return {name for f in declared for name in f.value_names}


def test_every_column_a_delegate_enters_is_declared_once():
    delegates = set(Registration.__table__.c.keys()) - WORKFLOW_COLUMNS
    stored = [column for f in fields.FIELDS for column in f.stored_in]
    assert sorted(stored) == sorted(delegates)
    assert len(stored) == len(set(stored))
    assert {f.section for f in fields.FIELDS} <= {s.name for s in fields.SECTIONS}


def test_text_limits_are_the_columns_lengths():
    for f in fields.FIELDS:
        if f.kind in fields.TEXT_KINDS:
            assert f.max_length == Registration.__table__.c[f.name].type.length > 0


def test_the_form_has_exactly_the_declared_fields(app):
    with app.test_request_context():
        form = NewRegistrationForm()
        assert {field.name for field in form} - FORM_MACHINERY == value_names()
        needs = registration_form_class(fields.changeable_after_approval())()
        assert {field.name for field in needs} - FORM_MACHINERY == {
            "dietary_needs",
            "accessibility_needs",
        }


def test_the_exports_carry_exactly_the_fields_declared_for_them():
    participants = set(exports.PARTICIPANT_COLUMNS) - LIST_COLUMNS - {"organisation_kind"}
    assert participants == {f.csv_column for f in fields.in_export(ExportList.PARTICIPANTS)}
    headers = {column.header for column in exports.PARTICIPANT_COLUMNS.values()}
    assert {f.label for f in fields.in_export(ExportList.PARTICIPANTS)} <= headers
    security = set(exports.security_columns(sensitive=True)) - LIST_COLUMNS
    assert security == {f.csv_column for f in fields.in_export(ExportList.SECURITY)}
    assert [f.name for f in fields.in_export(ExportList.CATERING)] == ["dietary_needs"]


def test_the_import_takes_exactly_the_importable_fields():
    accepted = set(registration_import.REQUIRED_COLUMNS + registration_import.OPTIONAL_COLUMNS)
    assert accepted == {"name", "email"} | {f.csv_column for f in fields.FIELDS if f.importable}
    assert set(registration_import.REQUIRED_COLUMNS) == {"name", "email"} | {
        f.csv_column for f in fields.FIELDS if f.importable and f.required
    }


def example_cell(f: fields.RegistrationField) -> tuple[str, object]:
    """A cell for the field in an import file, and the value it gives the registration."""
    if f.kind == Kind.ORGANISATION:
        return "Garda Síochána", "Garda Síochána"
    if f.kind == Kind.COUNTRY:
        return "Ireland", "IE"
    if f.kind in fields.YES_NO_KINDS:
        return "yes", True
    return f"Answer to {f.label}", f"Answer to {f.label}"


def test_an_import_carries_every_importable_field_into_the_registration(app, event):
    organiser = make_organiser(event)
    imported = [f for f in fields.FIELDS if f.importable]
    header = ",".join(["name", "email", *(f.csv_column for f in imported)])
    row = ",".join(["Aoife Byrne", "aoife@garda.example", *(example_cell(f)[0] for f in imported)])
    registration_import.import_registrations(
        event, f"{header}\n{row}\n".encode(), actor=organiser, notify=False
    )
    registration = db.session.scalars(sa.select(Registration)).one()
    for f in imported:
        assert f.value_of(registration) == example_cell(f)[1], f.name


def test_a_column_the_import_does_not_take_is_reported(app, event):
    data = b"name,email,organisation,country,job_title,consent_participant_list\n"
    data += b"Aoife Byrne,aoife@garda.example,Garda,IE,Sergeant,yes\n"
    try:
        registration_import.check_import(event, data)
    except registration_import.ImportRefused as refusal:
        assert refusal.message == "Unknown columns: consent_participant_list."
    else:
        raise AssertionError("a column nobody reads was accepted")


def test_the_workflow_stores_every_declared_field(app, event):
    values = {}
    for f in fields.FIELDS:
        if f.kind == Kind.ORGANISATION:
            values |= {f.name: None, f"{f.name}_other": "Garda Síochána"}
        elif f.kind == Kind.COUNTRY:
            values[f.name] = "IE"
        elif f.kind in fields.YES_NO_KINDS:
            values[f.name] = True
        else:
            values[f.name] = f"  Answer to {f.label} "
    registration = register(event, "aoife@garda.example", **values)
    for f in fields.FIELDS:
        expected = values.get(f"{f.name}_other") or values[f.name]
        assert f.value_of(registration) == (
            expected.strip() if isinstance(expected, str) else expected
        ), f.name


def test_the_demo_answers_every_required_field(app):
    seed_demo(delegates=20)
    for registration in db.session.scalars(sa.select(Registration)):
        for f in fields.FIELDS:
            if f.required:
                assert f.value_of(registration), (registration.reference, f.name)


def shown_fields(page: str) -> list[str]:
    return re.findall(r'data-field="([a-z_]+)"', page)


def form_controls(page: str) -> set[str]:
    controls = re.findall(r'<(?:input|select|textarea)\b[^>]*?\bname="([a-z_]+)"', page)
    return set(controls) - FORM_MACHINERY


def test_the_pages_show_every_declared_field(client, auth, upcoming_event, delegate):
    registration = workflow.submit_registration(upcoming_event, delegate, details())
    organiser = make_organiser(upcoming_event)
    db.session.commit()
    declared = [f.name for f in fields.FIELDS]
    auth.login()
    assert shown_fields(client.get("/vgt-2014/registration").text) == declared
    assert form_controls(client.get("/vgt-2014/registration/edit").text) == value_names()
    registration.status = Status.APPROVED
    db.session.commit()
    correcting = client.get("/vgt-2014/registration/edit").text
    assert form_controls(correcting) == {
        "dietary_needs",
        "accessibility_needs",
    }
    kept = [f.name for f in fields.FIELDS if not f.after_approval]
    assert shown_fields(correcting) == kept, "what cannot change is shown as it stands"
    auth.logout()
    auth.login(organiser.email)
    page = client.get(f"/vgt-2014/organiser/registrations/{registration.reference}").text
    assert shown_fields(page) == declared
