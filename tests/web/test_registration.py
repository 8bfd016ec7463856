"""A delegate registers through the web form, sees the status, edits and cancels."""

import sqlalchemy as sa

from conference.extensions import db
from conference.models import AuditEntry, Registration
from conference.models import RegistrationStatus as Status
from tests.conftest import make_event, make_user


def europol_id(event) -> str:
    return str(
        next(
            link.organisation.id
            for link in event.organisations
            if link.organisation.name == "Europol"
        )
    )


def form(event, **overrides) -> dict:
    data = {
        "organisation": europol_id(event),
        "organisation_other": "",
        "country": "BE",
        "job_title": "Detective Inspector",
        "dietary_needs": "Halal",
        "accessibility_needs": "",
        "invitation_letter_needed": "yes",
        "consent_participant_list": "y",
    }
    data.update(overrides)
    return data


def registrations() -> list[Registration]:
    return db.session.scalars(sa.select(Registration)).all()


def test_the_public_event_page_says_what_the_conference_is(client, event):
    page = client.get("/vgt-2014/").text
    assert "Virtual Global Taskforce" in page
    assert "5 and 6 November 2014" in page
    assert "Dutch National Police" in page and "Host" in page
    assert "Europol" in page and "Intergovernmental organisation" in page


def test_the_public_pages_show_no_participant_data(app, client, upcoming_event, delegate, auth):
    auth.login()
    client.post("/vgt-2014/register", data=form(upcoming_event, job_title="Undercover Specialist"))
    anonymous = app.test_client()  # the same client class, with no cookies
    for path in ["/", "/vgt-2014/"]:
        page = anonymous.get(path, follow_redirects=True).text
        for secret in [delegate.name, delegate.email, "Undercover Specialist", "Halal"]:
            assert secret not in page


def test_registering_needs_an_account(client, event):
    response = client.get("/vgt-2014/register")
    assert response.headers["Location"].startswith("/account/login?next=")


def test_a_delegate_registers_and_sees_the_status(client, upcoming_event, delegate, auth):
    auth.login()
    response = client.post("/vgt-2014/register", data=form(upcoming_event))
    assert response.headers["Location"] == "/vgt-2014/registration"
    [registration] = registrations()
    assert registration.organisation.name == "Europol"
    assert registration.country == "BE"
    assert registration.invitation_letter_needed is True
    assert registration.consent_participant_list is True
    page = client.get("/vgt-2014/registration").text
    assert registration.reference in page
    assert "Pending" in page
    assert "Belgium" in page


def test_an_organisation_not_on_the_list_is_typed_in(client, upcoming_event, delegate, auth):
    auth.login()
    client.post(
        "/vgt-2014/register",
        data=form(upcoming_event, organisation="other", organisation_other="Garda Síochána"),
    )
    [registration] = registrations()
    assert registration.organisation is None
    assert registration.organisation_other == "Garda Síochána"


def test_other_organisation_needs_its_name(client, upcoming_event, delegate, auth):
    auth.login()
    response = client.post("/vgt-2014/register", data=form(upcoming_event, organisation="other"))
    assert response.status_code == 400
    assert "Type the name of your organisation." in response.text
    assert registrations() == []


def test_bad_input_is_refused_beside_its_field_and_nothing_is_saved(
    client, upcoming_event, delegate, auth
):
    auth.login()
    response = client.post(
        "/vgt-2014/register",
        data=form(
            upcoming_event,
            country="XX",
            organisation="99999",
            job_title="",
            invitation_letter_needed="maybe",
        ),
    )
    assert response.status_code == 400
    for field in ["country", "organisation", "job_title", "invitation_letter_needed"]:
        assert f'id="{field}-error"' in response.text
    assert 'value="Halal"' not in response.text  # a textarea keeps its text inside the element
    assert "Halal</textarea>" in response.text, "what the delegate typed is kept"
    assert registrations() == []


def test_a_double_clicked_registration_creates_one(client, upcoming_event, delegate, auth):
    auth.login()
    first = client.post("/vgt-2014/register", data=form(upcoming_event))
    second = client.post("/vgt-2014/register", data=form(upcoming_event))
    assert first.headers["Location"] == second.headers["Location"] == "/vgt-2014/registration"
    assert len(registrations()) == 1


def test_the_delegate_edits_a_pending_registration(client, upcoming_event, delegate, auth):
    auth.login()
    client.post("/vgt-2014/register", data=form(upcoming_event))
    page = client.get("/vgt-2014/registration/edit").text
    assert 'value="Detective Inspector"' in page
    response = client.post(
        "/vgt-2014/registration/edit", data=form(upcoming_event, job_title="Analyst")
    )
    assert response.headers["Location"] == "/vgt-2014/registration"
    assert registrations()[0].job_title == "Analyst"
    assert "registration.updated" in db.session.scalars(sa.select(AuditEntry.action)).all()


def test_an_approved_registration_can_no_longer_be_edited(client, upcoming_event, delegate, auth):
    auth.login()
    client.post("/vgt-2014/register", data=form(upcoming_event))
    registrations()[0].status = Status.APPROVED
    db.session.commit()
    response = client.post(
        "/vgt-2014/registration/edit", data=form(upcoming_event, job_title="Chief")
    )
    assert response.headers["Location"] == "/vgt-2014/registration"
    db.session.expire_all()
    assert registrations()[0].job_title == "Detective Inspector"


def test_the_delegate_cancels(client, upcoming_event, delegate, auth):
    auth.login()
    client.post("/vgt-2014/register", data=form(upcoming_event))
    assert "Cancel your registration?" in client.get("/vgt-2014/registration/cancel").text
    response = client.post("/vgt-2014/registration/cancel")
    assert response.headers["Location"] == "/vgt-2014/"
    db.session.expire_all()
    assert registrations()[0].status == Status.CANCELLED
    assert client.get("/vgt-2014/registration").headers["Location"] == "/vgt-2014/register"


def test_an_unverified_account_cannot_register(client, event):
    make_user("new@police.example", verified=False)
    db.session.commit()
    response = client.post(
        "/account/login",
        data={"email": "new@police.example", "password": "correct horse battery staple"},
    )
    assert response.status_code == 403 or "verify your email" in response.text
    assert client.get("/vgt-2014/register").status_code == 302


def test_an_unknown_event_is_a_404(client, app):
    assert client.get("/no-such-event/").status_code == 404
    assert client.get("/no-such-event/register").status_code == 404


def test_a_rejected_registration_offers_no_cancel(client, upcoming_event, delegate, auth):
    auth.login()
    client.post("/vgt-2014/register", data=form(upcoming_event))
    registrations()[0].status = Status.REJECTED
    db.session.commit()
    assert "Cancel registration" not in client.get("/vgt-2014/registration").text
    assert client.get("/vgt-2014/registration/cancel").headers["Location"] == (
        "/vgt-2014/registration"
    )
    assert client.post("/vgt-2014/registration/cancel").headers["Location"] == (
        "/vgt-2014/registration"
    )
    db.session.expire_all()
    assert registrations()[0].status == Status.REJECTED


def test_outside_the_window_the_form_says_when_registration_opens(client, app, delegate, auth):
    from datetime import UTC, datetime

    make_event(registration_opens_at=datetime(2099, 9, 1, 7, tzinfo=UTC))
    db.session.commit()
    auth.login()
    page = client.get("/vgt-2014/register").text
    assert "Registration opens on 1 September 2099 at 09:00 (Europe/Amsterdam time)." in page
    assert 'name="job_title"' not in page
    assert "Registration opens on 1 September 2099" in client.get("/vgt-2014/").text


def test_once_the_event_is_over_the_form_and_the_event_page_say_registration_closed(
    client, event, delegate, auth
):
    auth.login()  # today: the event of 5 and 6 November 2014 is long over
    closed = "Registration closed when the event ended, on 6 November 2014."
    page = client.get("/vgt-2014/register").text
    assert closed in page
    assert 'name="job_title"' not in page
    assert "You will hear from us" not in page  # nobody registers, so nobody is vetted
    response = client.post("/vgt-2014/register", data=form(event))
    assert response.status_code == 409
    assert closed in response.text
    assert registrations() == []
    event_page = client.get("/vgt-2014/").text
    assert "Registration is closed" in event_page and closed in event_page
    assert "Register to attend" not in event_page
