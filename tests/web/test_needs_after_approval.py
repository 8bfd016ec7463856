"""An approved delegate can still correct dietary and accessibility needs, through the real form
with CSRF on; the change is audited, the organisers see it, and the lists carry it."""

import csv
import io
import re

import pytest
import sqlalchemy as sa

from conference.extensions import db
from conference.models import AuditEntry, Registration
from conference.models import RegistrationStatus as Status
from conference.services.registration import workflow
from tests.client import AuthActions, csrf_token
from tests.factories import make_organiser, register

EDIT = "/vgt-2014/registration/edit"


@pytest.fixture
def app_settings():
    return {"WTF_CSRF_ENABLED": True}


@pytest.fixture
def approved(event):
    """Dana's registration (vegetarian, no accessibility needs), approved by Olga."""
    organiser = make_organiser(event)
    registration = register(event, "delegate@police.example")
    workflow.approve_registration(registration, actor=organiser)
    db.session.commit()
    return registration


def stored() -> Registration:
    db.session.expire_all()
    return db.session.scalars(sa.select(Registration)).one()


def correct_needs(client, **answers):
    """Open the form as the delegate does, and send it with its token."""
    page = client.get(EDIT).text
    return client.post(EDIT, data={"csrf_token": csrf_token(page), **answers})


def organiser_client(app):
    client = app.test_client()
    AuthActions(client).login("organiser@politie.example")
    return client


def test_the_approved_delegate_corrects_the_needs_and_sees_them_saved(client, auth, approved):
    auth.login()
    status_page = client.get("/vgt-2014/registration").text
    assert f'href="{EDIT}">Correct your needs</a>' in status_page
    form = client.get(EDIT).text
    assert 'name="dietary_needs"' in form and 'name="accessibility_needs"' in form
    for fixed in ("job_title", "country", "organisation", "consent_participant_list"):
        assert f'name="{fixed}"' not in form
    assert "Detective Inspector" in form, "what cannot change is shown as it stands"
    assert "Your registration is approved." in form

    response = correct_needs(
        client,
        dietary_needs=" Vegan, no nuts ",
        accessibility_needs="Step-free access",
        job_title="Chief Inspector",  # not offered, so not taken
    )
    assert response.headers["Location"] == "/vgt-2014/registration"
    page = client.get(response.headers["Location"]).text
    assert "Your changes are saved." in page
    assert "Vegan, no nuts" in page and "Step-free access" in page
    registration = stored()
    assert registration.dietary_needs == "Vegan, no nuts"
    assert registration.accessibility_needs == "Step-free access"
    assert registration.job_title == "Detective Inspector"
    assert registration.status == Status.APPROVED


def test_the_correction_is_audited_with_old_and_new_values(client, auth, approved):
    auth.login()
    correct_needs(client, dietary_needs="Vegan", accessibility_needs="")
    entry = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "registration.needs_changed")
    ).one()
    assert entry.actor_id == approved.user_id
    assert entry.object_id == approved.id
    assert entry.details["changes"] == {"dietary_needs": ["Vegetarian", "Vegan"]}


def test_sending_the_same_needs_again_records_no_change(client, auth, approved):
    auth.login()
    correct_needs(client, dietary_needs="Vegetarian", accessibility_needs="")
    actions = db.session.scalars(sa.select(AuditEntry.action)).all()
    assert "registration.needs_changed" not in actions


def test_the_organisers_page_shows_what_changed_and_who_changed_it(app, client, auth, approved):
    auth.login()
    correct_needs(client, dietary_needs="Vegan", accessibility_needs="A seat near the door")
    page = organiser_client(app).get(f"/vgt-2014/organiser/registrations/{approved.reference}")
    text = page.text
    assert "Changed since approval" in text
    assert "Needs changed on" in text and "by the delegate" in text
    assert "<del>Vegetarian</del> → <ins>Vegan</ins>" in text
    assert "<del>None</del> → <ins>A seat near the door</ins>" in text


def test_the_catering_and_security_lists_carry_the_new_needs(app, client, auth, approved):
    auth.login()
    correct_needs(client, dietary_needs="Kosher", accessibility_needs="Wheelchair access")
    organiser = organiser_client(app)
    exports_page = organiser.get("/vgt-2014/organiser/exports").text

    def download(kind):
        response = organiser.post(
            f"/vgt-2014/organiser/exports/{kind}",
            data={"csrf_token": csrf_token(exports_page), "format": "csv"},
            buffered=True,
        )
        text = response.get_data(as_text=True).removeprefix("\ufeff")
        return list(csv.reader(io.StringIO(text)))

    catering = download("catering")
    assert ["Wednesday 5 November 2014", "Kosher", "1"] in catering
    assert all("Vegetarian" not in row for row in catering)
    security = download("security")
    assert security[0][3] == "Accessibility needs"
    assert security[1][3] == "Wheelchair access"


def test_without_the_forms_token_nothing_changes(client, auth, approved):
    auth.login()
    response = client.post(EDIT, data={"dietary_needs": "Vegan"})
    assert response.status_code == 400
    assert stored().dietary_needs == "Vegetarian"


def test_a_need_too_long_is_refused_beside_its_field(client, auth, approved):
    auth.login()
    response = correct_needs(client, dietary_needs="x" * 501, accessibility_needs="Lift")
    assert response.status_code == 400
    assert 'id="dietary_needs-error"' in response.text
    assert "Field cannot be longer than 500 characters." in response.text
    registration = stored()
    assert registration.dietary_needs == "Vegetarian"
    assert registration.accessibility_needs == ""


def test_a_registration_approved_while_its_form_was_open_saves_nothing(client, auth, event):
    organiser = make_organiser(event)
    registration = register(event, "delegate@police.example")
    db.session.commit()
    auth.login()
    page = client.get(EDIT).text  # pending: every field
    assert 'name="job_title"' in page
    workflow.approve_registration(db.session.get(Registration, registration.id), actor=organiser)
    db.session.commit()
    response = client.post(
        EDIT,
        data={
            "csrf_token": csrf_token(page),
            "offered": re.search(r'name="offered" type="hidden" value="([^"]*)"', page)[1],
            "organisation": "other",
            "organisation_other": "Federal Police Cybercrime Unit",
            "country": "BE",
            "job_title": "Chief Inspector",
            "dietary_needs": "Vegan",
            "accessibility_needs": "",
            "invitation_letter_needed": "no",
        },
    )
    assert response.headers["Location"] == EDIT
    again = client.get(EDIT).text
    assert "was decided while you were changing it, and nothing was saved" in again
    assert 'name="job_title"' not in again
    assert (stored().job_title, stored().dietary_needs) == ("Detective Inspector", "Vegetarian")


def test_a_rejected_delegate_cannot_change_anything(client, auth, approved):
    organiser = db.session.get(Registration, approved.id).decided_by
    workflow.reject_registration(
        db.session.get(Registration, approved.id), actor=organiser, reason="No longer in post"
    )
    db.session.commit()
    auth.login()
    assert "Correct your needs" not in client.get("/vgt-2014/registration").text
    response = client.get(EDIT)
    assert response.headers["Location"] == "/vgt-2014/registration"
    assert "can no longer be changed" in client.get("/vgt-2014/registration").text
