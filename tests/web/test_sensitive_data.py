"""Dietary and accessibility needs are seen by the roles that need them, per docs/access.md:
organisers see them; moderators and viewers see none, on no page and in no export; everyone
with the exports gets the caterer's counts, never a name."""

import csv
import io
import logging

import pytest

from conference.extensions import db
from conference.models import TeamRole
from conference.services.registration import exports, workflow
from conference.services.registration.fields import RegistrationDetails
from conference.services.registration.listing import RegistrationFilter
from tests.factories import make_organiser, register, while_registration_is_open

DIETARY = "Halal, no shellfish"
ACCESSIBILITY = "Wheelchair user: step-free access"
CORRECTED = "Vegan since October"
READ_ONLY = ["moderator", "viewer"]


@pytest.fixture
def team(event, organiser):
    for role in READ_ONLY:
        make_organiser(event, f"{role}@politie.example", role=TeamRole(role))
    db.session.commit()


@pytest.fixture
def nadia(event, organiser, team):
    """An approved delegate with needs, who corrected her dietary needs after approval."""
    registration = register(
        event, "nadia@police.example", dietary_needs=DIETARY, accessibility_needs=ACCESSIBILITY
    )
    workflow.approve_registration(registration, actor=organiser)
    workflow.update_registration(
        registration,
        RegistrationDetails(dietary_needs=CORRECTED),
        actor=registration.user,
        now=while_registration_is_open(event),
    )
    db.session.commit()
    return registration


def download(client, url, **data) -> str:
    response = client.post(url, data=data, buffered=True)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def cells(text: str) -> set[str]:
    return {cell for row in csv.reader(io.StringIO(text.removeprefix("\ufeff"))) for cell in row}


def test_organisers_see_the_needs_everywhere_they_look_after_delegates(client, auth, nadia):
    auth.login("organiser@politie.example")
    page = client.get(f"/vgt-2014/organiser/registrations/{nadia.reference}").text
    assert CORRECTED in page and ACCESSIBILITY in page
    assert "Changed since approval" in page and DIETARY in page  # the old answer, struck out
    participants = download(
        client,
        "/vgt-2014/organiser/exports/participants",
        columns=["name", "dietary_needs", "accessibility_needs"],
        format="csv",
    )
    assert {CORRECTED, ACCESSIBILITY, nadia.user.name} <= cells(participants)
    security = download(client, "/vgt-2014/organiser/exports/security", format="csv")
    assert ACCESSIBILITY in cells(security)


@pytest.mark.parametrize("role", READ_ONLY)
def test_the_registration_page_shows_no_needs_to_moderators_and_viewers(client, auth, nadia, role):
    auth.login(f"{role}@politie.example")
    page = client.get(f"/vgt-2014/organiser/registrations/{nadia.reference}").text
    assert nadia.user.name in page and nadia.job_title in page
    for needs in (DIETARY, CORRECTED, ACCESSIBILITY, "Dietary needs</dt>"):
        assert needs not in page
    assert "Changed since approval" not in page
    # The history says that the needs changed, not what they are.
    assert "changed <span" in page and "(seen by the organisers only)" in page


@pytest.mark.parametrize("role", READ_ONLY)
def test_the_exports_of_moderators_and_viewers_leave_the_needs_out(client, auth, nadia, role):
    auth.login(f"{role}@politie.example")
    page = client.get("/vgt-2014/organiser/exports").text
    assert 'value="dietary_needs"' not in page and 'value="accessibility_needs"' not in page
    assert "your lists leave them out" in page
    asked = client.post(
        "/vgt-2014/organiser/exports/participants",
        data={"columns": ["name", "dietary_needs"], "format": "csv"},
    )
    assert asked.status_code == 400  # not a column they may choose
    participants = download(
        client, "/vgt-2014/organiser/exports/participants", columns=["name"], format="csv"
    )
    assert nadia.user.name in cells(participants)
    security = cells(download(client, "/vgt-2014/organiser/exports/security", format="csv"))
    assert nadia.user.name in security
    assert not {ACCESSIBILITY, "Accessibility needs"} & security


@pytest.mark.parametrize("role", ["organiser", *READ_ONLY])
def test_the_catering_export_gives_every_role_counts_not_names(client, auth, nadia, role):
    auth.login(f"{role}@politie.example")
    catering = download(client, "/vgt-2014/organiser/exports/catering", format="csv")
    rows = list(csv.reader(io.StringIO(catering.removeprefix("\ufeff"))))
    assert rows[0] == ["Day", "Dietary needs", "Delegates"]
    assert [CORRECTED, "1"] in [row[1:] for row in rows]
    assert nadia.user.name not in catering and nadia.user.email not in catering


@pytest.mark.parametrize("role", READ_ONLY)
def test_the_export_service_leaves_the_needs_out_whatever_a_reader_asks(event, nadia, role):
    reader = db.session.scalars(
        db.select(type(nadia.user)).filter_by(email=f"{role}@politie.example")
    ).one()
    export = exports.participant_list(
        event, RegistrationFilter(), list(exports.PARTICIPANT_COLUMNS), actor=reader
    )
    assert "Dietary needs" not in export.header and "Accessibility needs" not in export.header
    assert not {CORRECTED, ACCESSIBILITY} & {cell for row in export.rows() for cell in row}


def test_no_log_line_carries_a_need(client, auth, nadia, caplog):
    caplog.set_level(logging.DEBUG)
    auth.login("organiser@politie.example")
    client.get(f"/vgt-2014/organiser/registrations/{nadia.reference}")
    download(
        client,
        "/vgt-2014/organiser/exports/participants",
        columns=["dietary_needs", "accessibility_needs"],
        format="csv",
    )
    download(client, "/vgt-2014/organiser/exports/security", format="csv")
    logged = "\n".join(record.getMessage() for record in caplog.records)
    for needs in (DIETARY, CORRECTED, ACCESSIBILITY):
        assert needs not in logged


@pytest.mark.parametrize("role", ["organiser", *READ_ONLY])
def test_the_audit_log_words_a_needs_change_by_role(client, auth, nadia, role):
    auth.login(f"{role}@politie.example")
    page = client.get("/vgt-2014/organiser/audit-log").text
    assert "Dietary needs" in page
    if role == "organiser":
        assert DIETARY in page and CORRECTED in page
    else:
        assert DIETARY not in page and CORRECTED not in page
        assert "changed (seen by the organisers only)" in page


@pytest.mark.parametrize("role", READ_ONLY)
def test_moderators_and_viewers_cannot_sort_out_who_has_dietary_needs(client, auth, nadia, role):
    auth.login(f"{role}@politie.example")
    page = client.get("/vgt-2014/organiser/registrations").text
    assert 'name="dietary"' not in page
    assert client.get("/vgt-2014/organiser/registrations?dietary=yes").status_code == 400
    exported = client.post(
        "/vgt-2014/organiser/exports/participants?dietary=yes",
        data={"columns": ["name"], "format": "csv"},
    )
    assert exported.status_code == 400


def test_organisers_filter_by_dietary_needs(client, auth, nadia):
    auth.login("organiser@politie.example")
    page = client.get("/vgt-2014/organiser/registrations?dietary=yes")
    assert page.status_code == 200 and nadia.reference in page.text
    assert 'name="dietary"' in page.text
