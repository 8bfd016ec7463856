"""A delegate registers through the web form, sees the status, edits and cancels."""

import html
import re

import sqlalchemy as sa

from conference.extensions import db
from conference.models import AuditEntry, EventOrganisation, Organisation, Registration
from conference.models import RegistrationStatus as Status
from tests.client import assert_redirects, log_in_first
from tests.factories import make_event, make_user


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
    assert_redirects(response, to=log_in_first("/vgt-2014/register"))


def test_a_delegate_registers_and_sees_the_status(client, upcoming_event, delegate, auth):
    auth.login()
    response = client.post("/vgt-2014/register", data=form(upcoming_event))
    assert_redirects(response, to="/vgt-2014/registration")
    [registration] = registrations()
    assert registration.organisation.name == "Europol"
    assert registration.country == "BE"
    assert registration.invitation_letter_needed is True
    assert registration.consents_to("participant_list") is True
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
    assert_redirects(first, to="/vgt-2014/registration")
    assert_redirects(second, to="/vgt-2014/registration")
    assert len(registrations()) == 1


def test_opening_the_form_a_second_time_says_you_have_already_registered(
    client, upcoming_event, delegate, auth
):
    auth.login()
    client.post("/vgt-2014/register", data=form(upcoming_event))
    client.get("/vgt-2014/registration")  # the thank-you message is shown and gone
    response = client.get("/vgt-2014/register", follow_redirects=True)
    assert response.request.path == "/vgt-2014/registration"
    assert "You have already registered for VGT 2014." in response.text
    assert registrations()[0].reference in response.text


def test_sending_the_form_a_second_time_says_you_have_already_registered(
    client, upcoming_event, delegate, auth
):
    auth.login()
    client.post("/vgt-2014/register", data=form(upcoming_event))
    client.get("/vgt-2014/registration")
    response = client.post(
        "/vgt-2014/register", data=form(upcoming_event, job_title="Analyst"), follow_redirects=True
    )
    assert response.request.path == "/vgt-2014/registration"
    assert "You have already registered for VGT 2014." in response.text
    assert [registration.job_title for registration in registrations()] == ["Detective Inspector"]


def test_the_delegate_edits_a_pending_registration(client, upcoming_event, delegate, auth):
    auth.login()
    client.post("/vgt-2014/register", data=form(upcoming_event))
    page = client.get("/vgt-2014/registration/edit").text
    assert 'value="Detective Inspector"' in page
    response = client.post(
        "/vgt-2014/registration/edit", data=form(upcoming_event, job_title="Analyst")
    )
    assert_redirects(response, to="/vgt-2014/registration")
    assert registrations()[0].job_title == "Analyst"
    assert "registration.updated" in db.session.scalars(sa.select(AuditEntry.action)).all()


def test_an_approved_registration_changes_only_its_needs(client, upcoming_event, delegate, auth):
    auth.login()
    client.post("/vgt-2014/register", data=form(upcoming_event))
    registrations()[0].status = Status.APPROVED
    db.session.commit()
    response = client.post(
        "/vgt-2014/registration/edit",
        data=form(upcoming_event, job_title="Chief", dietary_needs="Vegan", country="NL"),
    )
    assert_redirects(response, to="/vgt-2014/registration")
    db.session.expire_all()
    [registration] = registrations()
    assert (registration.job_title, registration.country) == ("Detective Inspector", "BE")
    assert registration.dietary_needs == "Vegan"


def test_the_delegate_cancels(client, upcoming_event, delegate, auth):
    auth.login()
    client.post("/vgt-2014/register", data=form(upcoming_event))
    assert "Cancel your registration?" in client.get("/vgt-2014/registration/cancel").text
    response = client.post("/vgt-2014/registration/cancel")
    assert_redirects(response, to="/vgt-2014/")
    db.session.expire_all()
    assert registrations()[0].status == Status.CANCELLED
    assert_redirects(client.get("/vgt-2014/registration"), to="/vgt-2014/register")


def test_an_unverified_account_cannot_register(client, event):
    make_user("new@police.example", verified=False)
    db.session.commit()
    response = client.post(
        "/account/login",
        data={"email": "new@police.example", "password": "correct horse battery staple"},
    )
    assert response.status_code == 403 or "verify your email" in response.text
    assert_redirects(client.get("/vgt-2014/register"), to=log_in_first("/vgt-2014/register"))


def test_an_unknown_event_is_a_404(client, app):
    assert client.get("/no-such-event/").status_code == 404
    assert client.get("/no-such-event/register").status_code == 404


def test_a_rejected_registration_offers_no_cancel(client, upcoming_event, delegate, auth):
    auth.login()
    client.post("/vgt-2014/register", data=form(upcoming_event))
    registrations()[0].status = Status.REJECTED
    db.session.commit()
    assert "Cancel registration" not in client.get("/vgt-2014/registration").text
    assert_redirects(client.get("/vgt-2014/registration/cancel"), to="/vgt-2014/registration")
    assert_redirects(client.post("/vgt-2014/registration/cancel"), to="/vgt-2014/registration")
    db.session.expire_all()
    assert registrations()[0].status == Status.REJECTED


def test_outside_the_window_the_form_says_when_registration_opens(client, app, delegate, auth):
    from datetime import UTC, datetime

    make_event(registration_opens_at=datetime(2099, 9, 1, 7, tzinfo=UTC))
    db.session.commit()
    auth.login()
    page = client.get("/vgt-2014/register").text
    assert "Registration opens on 1 Sep 2099, 09:00 CEST." in page
    assert 'name="job_title"' not in page
    assert "Registration opens on 1 Sep 2099, 09:00 CEST." in client.get("/vgt-2014/").text


def country_options(page: str, select: str = "country") -> list[str]:
    """The labels of a select's options, in the order the page lists them."""
    found = re.search(rf'<select[^>]*name="{select}"[^>]*>(.*?)</select>', page, re.S)
    return [
        html.unescape(label) for label in re.findall(r"<option[^>]*>([^<]*)</option>", found[1])
    ]


def test_the_country_list_is_sorted_as_people_read_it(client, upcoming_event, delegate, auth):
    auth.login()
    countries = country_options(client.get("/vgt-2014/register").text)
    assert countries[:4] == ["Choose a country", "Afghanistan", "Åland Islands", "Albania"]
    assert countries.index("Tunisia") < countries.index("Türkiye") < countries.index("Turkmenistan")
    assert (
        countries.index("Costa Rica")
        < countries.index("Côte d'Ivoire")
        < countries.index("Croatia")
    )
    assert countries[-1] == "Zimbabwe"


def test_the_event_page_lists_its_countries_as_people_read_them(client, app):
    make_event().participating_countries = ["TR", "AX", "TN", "AF", "NL"]
    db.session.commit()
    page = client.get("/vgt-2014/").text
    shown = re.findall(r'<li class="list-inline-item[^"]*">([^<]*)</li>', page)
    assert shown == ["Afghanistan", "Åland Islands", "Netherlands", "Tunisia", "Türkiye"]


def test_each_partner_shows_the_short_name_people_know_beside_the_full_one(client, app):
    event = make_event()
    for name, short_name in [
        ("Federal Bureau of Investigation", "FBI"),
        ("Interpol", "INTERPOL"),
        ("Terre des Hommes Netherlands", "Terre des Hommes"),
    ]:
        event.organisations.append(
            EventOrganisation(
                organisation=Organisation(name=name, short_name=short_name, kind="law_enforcement"),
                position=len(event.organisations),
            )
        )
    db.session.commit()
    page = client.get("/vgt-2014/").text
    partners = re.findall(r'<h3 class="h6 card-title mb-1">([^<]*)</h3>', page)
    assert partners == [
        "Dutch National Police (Politie)",
        "Europol",  # its short name is its name: not said twice
        "Federal Bureau of Investigation (FBI)",
        "Interpol",  # nor in capitals
        "Terre des Hommes Netherlands",  # nor when the name says it already
    ]
    assert "<dt>Host</dt><dd>Dutch National Police (Politie)</dd>" in page


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
