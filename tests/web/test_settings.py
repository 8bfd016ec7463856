"""Event settings and partners, through the organisers' pages."""

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from conference.extensions import db
from conference.models import AuditEntry, Event, EventOrganisation, Organisation
from conference.models import RegistrationStatus as Status
from conference.services.registration import workflow
from tests.client import assert_redirects
from tests.factories import make_organiser, register

SETTINGS = "/vgt-2014/organiser/settings"
PARTNERS = "/vgt-2014/organiser/partners"


def form(**overrides) -> dict:
    values = {
        "name": "Virtual Global Taskforce International Conference 2014",
        "short_name": "VGT 2014",
        "tagline": "Together against online child sexual exploitation",
        "description": "Two days in Amsterdam.",
        "starts_on": "2014-11-05",
        "ends_on": "2014-11-06",
        "venue": "Conference centre, Amsterdam",
        "city": "Amsterdam",
        "capacity": "150",
        "registration_opens": "",
        "registration_closes": "",
        "approval_required": "yes",
        "retention_months": "12",
    }
    values.update(overrides)
    return values


def reloaded(event) -> Event:
    db.session.expire_all()
    return db.session.get(Event, event.id)


@pytest.fixture
def logged_in(client, auth, event, organiser):
    auth.login(organiser.email)
    return client


def test_the_settings_form_shows_the_event_as_it_is(logged_in):
    page = logged_in.get(SETTINGS).text
    assert 'value="VGT 2014"' in page
    assert 'value="150"' in page
    assert "Europe/Amsterdam" in page
    assert "style=" not in page


def test_an_organiser_changes_the_venue_and_the_change_is_audited(logged_in, event):
    response = logged_in.post(SETTINGS, data=form(venue="RAI Amsterdam"))
    assert_redirects(response, to=SETTINGS)
    assert reloaded(event).venue == "RAI Amsterdam"
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "event.updated"))
    assert entry.one().details["changes"]["venue"][1] == "RAI Amsterdam"
    assert "The settings are saved." in logged_in.get(SETTINGS).text


def test_the_settings_say_when_the_personal_data_is_purged_and_change_it(logged_in, event):
    # The event ended on 6 November 2014: twelve months later its personal data was due.
    assert "Due since 7 Nov 2015" in logged_in.get(SETTINGS).text
    response = logged_in.post(SETTINGS, data=form(retention_months="240"))
    assert response.status_code == 400 and "from 1 to 120" in response.text
    assert_redirects(logged_in.post(SETTINGS, data=form(retention_months="120")), to=SETTINGS)
    assert reloaded(event).retention_months == 120
    assert "Due since 7 Nov 2024" in logged_in.get(SETTINGS).text
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "event.updated"))
    assert entry.one().details["changes"]["retention_months"] == [12, 120]


def test_saving_the_same_settings_says_nothing_changed(logged_in):
    logged_in.post(SETTINGS, data=form(tagline="", description=""))
    logged_in.get(SETTINGS)
    logged_in.post(SETTINGS, data=form(tagline="", description=""))
    assert "Nothing changed." in logged_in.get(SETTINGS).text


def test_the_capacity_is_refused_below_the_places_approved(logged_in, event, organiser):
    for n in range(3):
        workflow.approve_registration(register(event, f"d{n}@police.example"), actor=organiser)
    db.session.commit()
    response = logged_in.post(SETTINGS, data=form(capacity="2", venue="Elsewhere"))
    assert response.status_code == 409
    assert "3 places are already approved" in response.text
    assert 'id="capacity-error"' in response.text
    saved = reloaded(event)
    assert (saved.capacity, saved.venue) == (150, "Conference centre, Amsterdam")


def test_a_raised_capacity_gives_the_new_places_to_the_waiting_list(logged_in, event, organiser):
    event.capacity = 1
    approved, waiting = register(event, "a@police.example"), register(event, "b@police.example")
    workflow.approve_registration(approved, actor=organiser)
    workflow.waitlist_registration(waiting, actor=organiser)
    db.session.commit()
    logged_in.post(SETTINGS, data=form(capacity="2"))
    assert "1 from the waiting list now have a place" in logged_in.get(SETTINGS).text
    assert db.session.get(type(waiting), waiting.id).status == Status.APPROVED


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"capacity": "many"}, "Not a valid integer value."),
        ({"capacity": ""}, "Give the number of places."),
        ({"capacity": "0"}, "Give a number of places from 1 to 100,000."),
        ({"ends_on": "2014-11-04"}, "The last day cannot come before the first."),
        ({"starts_on": ""}, "Give the first day."),
        (
            {"registration_opens": "2014-10-01T09:00", "registration_closes": "2014-09-01T09:00"},
            "Registration must close after it opens.",
        ),
        ({"name": ""}, "This field is required."),
    ],
)
def test_bad_settings_are_refused_beside_the_field(logged_in, event, overrides, message):
    response = logged_in.post(SETTINGS, data=form(**overrides, venue="Elsewhere"))
    assert response.status_code == 400
    assert message in response.text
    assert reloaded(event).venue == "Conference centre, Amsterdam"


def test_the_registration_window_is_entered_in_amsterdam_time(logged_in, event):
    logged_in.post(
        SETTINGS,
        data=form(registration_opens="2014-09-01T09:00", registration_closes="2014-10-31T17:00"),
    )
    saved = reloaded(event)
    assert saved.registration_opens_at == datetime(2014, 9, 1, 7, 0, tzinfo=UTC)
    assert saved.registration_closes_at == datetime(2014, 10, 31, 16, 0, tzinfo=UTC)
    page = logged_in.get(SETTINGS).text
    assert 'value="2014-09-01T09:00"' in page
    assert 'value="2014-10-31T17:00"' in page


def test_automatic_approval_is_a_setting(logged_in, event):
    logged_in.post(SETTINGS, data=form(approval_required="no"))
    assert reloaded(event).approval_required is False


@pytest.mark.parametrize("role", ["moderator", "viewer"])
def test_only_organisers_manage_settings_and_partners(client, auth, event, role):
    make_organiser(event, f"{role}@politie.example", role=role)
    db.session.commit()
    auth.login(f"{role}@politie.example")
    assert client.get(SETTINGS).status_code == 403
    assert client.post(SETTINGS, data=form(venue="Elsewhere")).status_code == 403
    assert client.get(PARTNERS).status_code == 403
    assert client.post(f"{PARTNERS}/new", data={"organisation": "new"}).status_code == 403


# --- partners ---------------------------------------------------------------------------------


def organisation_named(name: str) -> Organisation:
    return db.session.scalars(sa.select(Organisation).where(Organisation.name == name)).one()


def public_order(event) -> list[str]:
    return db.session.scalars(
        sa.select(Organisation.name)
        .join(EventOrganisation)
        .where(EventOrganisation.event_id == event.id)
        .order_by(EventOrganisation.position)
    ).all()


NEW = {
    "organisation": "new",
    "name": "ECPAT International",
    "short_name": "ECPAT",
    "kind": "ngo",
    "country": "TH",
    "website": "https://ecpat.org",
}


def test_the_partner_list_shows_host_and_partners_in_order(logged_in):
    page = logged_in.get(PARTNERS).text
    assert page.index("Dutch National Police") < page.index("Europol")
    assert "Host" in page
    assert "style=" not in page


def test_an_organiser_adds_a_new_partner(logged_in, event):
    new_page = logged_in.get(f"{PARTNERS}/new").text
    assert "A new organisation" in new_page
    assert "/static/js/partners.js" in new_page
    response = logged_in.post(f"{PARTNERS}/new", data=NEW)
    assert_redirects(response, to=PARTNERS)
    assert public_order(event)[-1] == "ECPAT International"
    assert organisation_named("ECPAT International").country == "TH"
    assert "ECPAT International is now a partner" in logged_in.get(PARTNERS).text
    assert "ECPAT International" in logged_in.get("/vgt-2014/").text


def test_an_organiser_adds_an_organisation_the_app_knows(logged_in, event):
    unicef = Organisation(name="UNICEF", kind="intergovernmental")
    db.session.add(unicef)
    db.session.commit()
    response = logged_in.post(f"{PARTNERS}/new", data={"organisation": str(unicef.id)})
    assert_redirects(response, to=PARTNERS)
    assert public_order(event)[-1] == "UNICEF"


def test_a_new_partner_needs_its_name_and_kind(logged_in, event):
    response = logged_in.post(f"{PARTNERS}/new", data={"organisation": "new", "website": "ecpat"})
    assert response.status_code == 400
    assert "Choose the kind of organisation." in response.text
    assert "Give a full address" in response.text
    assert len(public_order(event)) == 2


def test_a_new_partner_with_a_known_name_is_refused_beside_the_name(logged_in, event):
    response = logged_in.post(f"{PARTNERS}/new", data={**NEW, "name": "europol"})
    assert response.status_code == 409
    assert 'id="name-error"' in response.text
    assert "choose it from the list" in response.text


def test_a_partner_already_on_the_list_is_not_offered_again(logged_in, event):
    europol = organisation_named("Europol")
    assert f'value="{europol.id}"' not in logged_in.get(f"{PARTNERS}/new").text
    response = logged_in.post(f"{PARTNERS}/new", data={"organisation": str(europol.id)})
    assert response.status_code == 400
    assert "Not a valid choice." in response.text
    assert public_order(event) == ["Dutch National Police", "Europol"]


def test_an_organiser_edits_a_partner(logged_in):
    europol = organisation_named("Europol")
    edit = f"{PARTNERS}/{europol.id}/edit"
    assert 'value="Europol"' in logged_in.get(edit).text
    data = {**NEW, "name": "Europol", "short_name": "EC3", "kind": "intergovernmental"}
    del data["organisation"]
    assert_redirects(logged_in.post(edit, data=data), to=PARTNERS)
    assert organisation_named("Europol").short_name == "EC3"
    assert logged_in.post(edit, data={**data, "kind": ""}).status_code == 400
    clash = logged_in.post(edit, data={**data, "name": "Dutch National Police"})
    assert clash.status_code == 409
    assert "Another organisation is called Dutch National Police." in clash.text


def test_an_organisation_not_on_this_events_list_has_no_page_here(logged_in):
    stranger = Organisation(name="Stranger", kind="other")
    db.session.add(stranger)
    db.session.commit()
    assert logged_in.get(f"{PARTNERS}/{stranger.id}/edit").status_code == 404
    assert logged_in.post(f"{PARTNERS}/{stranger.id}/remove").status_code == 404


def test_an_organiser_removes_a_partner(logged_in, event):
    europol = organisation_named("Europol")
    response = logged_in.post(f"{PARTNERS}/{europol.id}/remove")
    assert_redirects(response, to=PARTNERS)
    assert public_order(event) == ["Dutch National Police"]
    assert "Europol is no longer on the list." in logged_in.get(PARTNERS).text


def test_a_partner_named_by_registrations_is_not_removed(logged_in, event):
    europol = organisation_named("Europol")
    register(event, "a@police.example", organisation=europol, organisation_other=None)
    register(event, "b@police.example", organisation=europol, organisation_other=None)
    db.session.commit()
    response = logged_in.post(f"{PARTNERS}/{europol.id}/remove")
    assert response.status_code == 409
    assert "Europol cannot be removed: 2 registrations name it." in response.text
    assert public_order(event) == ["Dutch National Police", "Europol"]


def test_partners_move_up_and_down_on_the_public_page(logged_in, event):
    logged_in.post(f"{PARTNERS}/new", data=NEW)
    ecpat = organisation_named("ECPAT International")
    response = logged_in.post(f"{PARTNERS}/{ecpat.id}/move", data={"direction": "up"})
    assert_redirects(response, to=f"{PARTNERS}#partner-{ecpat.id}")
    assert public_order(event) == ["Dutch National Police", "ECPAT International", "Europol"]
    page = logged_in.get("/vgt-2014/").text
    assert page.index("ECPAT International") < page.index("Europol")
    logged_in.post(f"{PARTNERS}/{ecpat.id}/move", data={"direction": "down"})
    assert public_order(event)[-1] == "ECPAT International"


def test_a_move_needs_a_direction(logged_in):
    europol = organisation_named("Europol")
    assert logged_in.post(f"{PARTNERS}/{europol.id}/move", data={}).status_code == 400
    response = logged_in.post(f"{PARTNERS}/{europol.id}/move", data={"direction": "sideways"})
    assert response.status_code == 400


def test_a_refusal_that_belongs_to_no_field_shows_above_the_form(logged_in, monkeypatch):
    from conference.services.errors import DomainError
    from conference.services.events import event_settings

    def refuse(*args, **kwargs):
        raise DomainError("Another organiser is changing the event. Try again.")

    monkeypatch.setattr(event_settings, "update_event", refuse)
    response = logged_in.post(SETTINGS, data=form())
    assert response.status_code == 409
    assert "Another organiser is changing the event. Try again." in response.text
