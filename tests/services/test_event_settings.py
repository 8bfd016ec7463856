"""Event settings and partners, without HTTP."""

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from conference.extensions import db
from conference.models import AuditEntry, Event, EventOrganisation, Organisation, OutboxEmail
from conference.models import RegistrationStatus as Status
from conference.services.events import event_settings
from conference.services.events.event_settings import OrganisationDetails, SettingRefused
from conference.services.registration import workflow
from tests.factories import make_event, make_organiser, register


@pytest.fixture
def event(app) -> Event:
    return make_event(capacity=2)


@pytest.fixture
def organiser(event):
    return make_organiser(event)


def audit(action: str) -> list[AuditEntry]:
    return db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
    ).all()


def order_of(event) -> list[str]:
    return db.session.scalars(
        sa.select(Organisation.short_name)
        .join(EventOrganisation)
        .where(EventOrganisation.event_id == event.id)
        .order_by(EventOrganisation.position)
    ).all()


def full_event(event, organiser) -> list:
    """Two approved, two on the waiting list."""
    made = [register(event, f"d{n}@police.example") for n in range(4)]
    for registration in made[:2]:
        workflow.approve_registration(registration, actor=organiser)
    for registration in made[2:]:
        workflow.waitlist_registration(registration, actor=organiser)
    return made


# --- settings ---------------------------------------------------------------------------------


def test_a_change_is_saved_and_audited_with_old_and_new_values(event, organiser):
    settings = replace(
        event_settings.settings_of(event),
        venue="  RAI Amsterdam ",
        description="First.\r\n\r\nSecond.",
    )
    changes, promoted = event_settings.update_event(event, settings, actor=organiser)
    assert event.venue == "RAI Amsterdam"
    assert event.description == "First.\n\nSecond."
    assert changes["venue"] == ["Conference centre, Amsterdam", "RAI Amsterdam"]
    assert promoted == []
    (entry,) = audit("event.updated")
    assert entry.actor_id == organiser.id
    assert entry.details["changes"]["venue"][1] == "RAI Amsterdam"


def test_saving_unchanged_settings_writes_no_audit_entry(event, organiser):
    changes, _ = event_settings.update_event(
        event, event_settings.settings_of(event), actor=organiser
    )
    assert changes == {}
    assert audit("event.updated") == []


def test_the_capacity_never_drops_below_the_places_approved(event, organiser):
    full_event(event, organiser)
    with pytest.raises(SettingRefused) as refusal:
        event_settings.update_event(
            event, replace(event_settings.settings_of(event), capacity=1), actor=organiser
        )
    assert refusal.value.field == "capacity"
    assert "2 places are already approved" in refusal.value.message


def test_the_capacity_may_drop_to_exactly_the_places_approved(event, organiser):
    event.capacity = 5
    full_event(event, organiser)
    event_settings.update_event(
        event, replace(event_settings.settings_of(event), capacity=4), actor=organiser
    )
    assert event.capacity == 4


def test_a_raised_capacity_promotes_the_first_on_the_waiting_list(event, organiser):
    _, _, first_waiting, second_waiting = full_event(event, organiser)
    changes, promoted = event_settings.update_event(
        event, replace(event_settings.settings_of(event), capacity=3), actor=organiser
    )
    assert changes["capacity"] == [2, 3]
    assert promoted == [first_waiting]
    assert first_waiting.status == Status.APPROVED
    assert second_waiting.status == Status.WAITLISTED
    emails = db.session.scalars(
        sa.select(OutboxEmail.recipient).where(OutboxEmail.subject.ilike("%approved%"))
    ).all()
    assert first_waiting.user.email in emails


def test_a_raised_capacity_promotes_as_many_as_the_new_places(event, organiser):
    event.capacity = 50  # 48 places free, and still two on the waiting list by decision
    _, _, first_waiting, second_waiting = full_event(event, organiser)
    _, promoted = event_settings.update_event(
        event, replace(event_settings.settings_of(event), capacity=51), actor=organiser
    )
    assert promoted == [first_waiting]
    assert second_waiting.status == Status.WAITLISTED


def test_a_lowered_capacity_promotes_nobody(event, organiser):
    event.capacity = 10
    full_event(event, organiser)
    _, promoted = event_settings.update_event(
        event, replace(event_settings.settings_of(event), capacity=9), actor=organiser
    )
    assert promoted == []


def test_the_registration_window_is_typed_in_amsterdam_and_stored_in_utc(event, organiser):
    settings = replace(
        event_settings.settings_of(event),
        registration_opens=datetime(2014, 9, 1, 9, 0),  # summer time: UTC+2
        registration_closes=datetime(2014, 10, 31, 17, 0),  # winter time: UTC+1
    )
    changes, _ = event_settings.update_event(event, settings, actor=organiser)
    assert event.registration_opens_at == datetime(2014, 9, 1, 7, 0, tzinfo=UTC)
    assert event.registration_closes_at == datetime(2014, 10, 31, 16, 0, tzinfo=UTC)
    assert changes["registration_opens_at"] == [None, "2014-09-01T07:00:00+00:00"]
    again = event_settings.settings_of(event)
    assert again.registration_opens == datetime(2014, 9, 1, 9, 0)


def test_registration_must_close_after_it_opens(event, organiser):
    settings = replace(
        event_settings.settings_of(event),
        registration_opens=datetime(2014, 10, 1, 9, 0),
        registration_closes=datetime(2014, 10, 1, 9, 0),
    )
    with pytest.raises(SettingRefused) as refusal:
        event_settings.update_event(event, settings, actor=organiser)
    assert refusal.value.field == "registration_closes"


def test_a_registration_time_the_clock_change_repeats_is_refused(event, organiser):
    # 26 October 2014: the clocks went back from 03:00 to 02:00 in Amsterdam.
    settings = replace(
        event_settings.settings_of(event), registration_closes=datetime(2014, 10, 26, 2, 30)
    )
    with pytest.raises(SettingRefused, match="happens twice") as refusal:
        event_settings.update_event(event, settings, actor=organiser)
    assert refusal.value.field == "registration_closes"
    assert event.registration_closes_at is None


def test_the_last_day_cannot_come_before_the_first(event, organiser):
    settings = replace(event_settings.settings_of(event), ends_on=date(2014, 11, 4))
    with pytest.raises(SettingRefused) as refusal:
        event_settings.update_event(event, settings, actor=organiser)
    assert refusal.value.field == "ends_on"


def test_automatic_approval_fills_the_places_then_the_waiting_list(event, organiser):
    event_settings.update_event(
        event, replace(event_settings.settings_of(event), approval_required=False), actor=organiser
    )
    statuses = [register(event, f"d{n}@police.example").status for n in range(3)]
    assert statuses == [Status.APPROVED, Status.APPROVED, Status.WAITLISTED]


def test_the_form_says_when_registration_opens_or_closed(event):
    event.registration_opens_at = datetime(2014, 9, 1, 7, 0, tzinfo=UTC)
    event.registration_closes_at = datetime(2014, 10, 31, 16, 0, tzinfo=UTC)
    notice = workflow.registration_window_notice
    assert notice(event, datetime(2014, 8, 1, tzinfo=UTC)) == (
        "Registration opens on 1 Sep 2014, 09:00 CEST."
    )
    assert notice(event, datetime(2014, 10, 1, tzinfo=UTC)) is None
    assert notice(event, datetime(2014, 11, 1, tzinfo=UTC)) == (
        "Registration closed on 31 Oct 2014, 17:00 CET."
    )


# --- partners ---------------------------------------------------------------------------------

NCMEC = OrganisationDetails(
    name="National Center for Missing & Exploited Children",
    short_name=" NCMEC ",
    kind="ngo",
    country="US",
    website="https://www.missingkids.org",
)


def test_a_new_organisation_joins_the_end_of_the_list(event, organiser):
    organisation = event_settings.add_partner(event, actor=organiser, details=NCMEC)
    assert organisation.short_name == "NCMEC"
    assert order_of(event) == ["Politie", "Europol", "NCMEC"]
    assert [e.details["organisation"] for e in audit("event.partner_added")] == [NCMEC.name]
    assert audit("organisation.created")[0].details["country"] == "US"


def test_an_existing_organisation_can_join_another_event(event, organiser):
    other = make_event(slug="vgt-2015")
    europol = event.organisations[1].organisation
    db.session.delete(other.organisations[1])
    db.session.flush()
    event_settings.add_partner(other, actor=organiser, organisation=europol)
    assert order_of(other) == ["Politie", "Europol"]


def test_a_partner_is_on_the_list_once(event, organiser):
    with pytest.raises(SettingRefused, match="already on the list"):
        event_settings.add_partner(
            event, actor=organiser, organisation=event.organisations[1].organisation
        )


def test_a_new_organisation_may_not_repeat_a_known_name(event, organiser):
    with pytest.raises(SettingRefused, match="known already") as refusal:
        event_settings.add_partner(event, actor=organiser, details=replace(NCMEC, name="EUROPOL"))
    assert refusal.value.field == "name"


def test_editing_a_partner_audits_what_changed(event, organiser):
    europol = event.organisations[1].organisation
    changes = event_settings.update_organisation(
        event,
        europol,
        OrganisationDetails("Europol", "", "intergovernmental", "NL", "https://www.europol.eu"),
        actor=organiser,
    )
    assert changes == {"short_name": ["Europol", None], "website": [None, "https://www.europol.eu"]}
    assert audit("organisation.updated")[0].details["changes"] == changes
    assert (
        event_settings.update_organisation(
            event,
            europol,
            OrganisationDetails("Europol", "", "intergovernmental", "NL", "https://www.europol.eu"),
            actor=organiser,
        )
        == {}
    )
    assert len(audit("organisation.updated")) == 1


def test_a_partner_cannot_take_another_organisations_name(event, organiser):
    europol = event.organisations[1].organisation
    with pytest.raises(SettingRefused, match="Another organisation"):
        event_settings.update_organisation(
            event, europol, replace(NCMEC, name="dutch national police"), actor=organiser
        )


def test_a_partner_is_removed_and_the_rest_close_up(event, organiser):
    ncmec = event_settings.add_partner(event, actor=organiser, details=NCMEC)
    europol = event.organisations[1].organisation
    event_settings.remove_partner(event, europol, actor=organiser)
    db.session.flush()
    assert order_of(event) == ["Politie", "NCMEC"]
    assert event_settings.link_of(event, ncmec.id).position == 1
    assert db.session.get(Organisation, europol.id) is not None  # other events may still use it
    assert audit("event.partner_removed")[0].details["organisation"] == "Europol"


def test_a_partner_named_by_a_registration_cannot_be_removed(event, organiser):
    europol = event.organisations[1].organisation
    register(event, "a@police.example", organisation=europol, organisation_other=None)
    with pytest.raises(SettingRefused, match="1 registration names it"):
        event_settings.remove_partner(event, europol, actor=organiser)


def test_the_host_cannot_be_removed(event, organiser):
    with pytest.raises(SettingRefused, match="hosts the event"):
        event_settings.remove_partner(event, event.host, actor=organiser)


def test_an_organisation_not_on_the_list_cannot_be_removed_or_moved(event, organiser):
    stranger = Organisation(name="Stranger", kind="other")
    db.session.add(stranger)
    db.session.flush()
    with pytest.raises(SettingRefused, match="not on the list"):
        event_settings.remove_partner(event, stranger, actor=organiser)
    with pytest.raises(SettingRefused, match="not on the list"):
        event_settings.move_partner(event, stranger, "up", actor=organiser)


def test_partners_move_up_and_down_the_public_order(event, organiser):
    ncmec = event_settings.add_partner(event, actor=organiser, details=NCMEC)
    assert event_settings.move_partner(event, ncmec, "up", actor=organiser)
    db.session.flush()
    db.session.expire(event)
    assert order_of(event) == ["Politie", "NCMEC", "Europol"]
    assert event_settings.move_partner(event, ncmec, "down", actor=organiser)
    db.session.flush()
    assert order_of(event) == ["Politie", "Europol", "NCMEC"]
    assert audit("event.partner_moved")[0].details["position"] == [2, 1]


def test_moving_past_either_end_changes_nothing(event, organiser):
    host, europol = (link.organisation for link in event.organisations)
    assert not event_settings.move_partner(event, host, "up", actor=organiser)
    assert not event_settings.move_partner(event, europol, "down", actor=organiser)
    assert audit("event.partner_moved") == []


def test_the_organisations_to_add_are_those_not_on_the_list_by_name(event):
    for name in ["UNICEF", "Interpol"]:
        db.session.add(Organisation(name=name, kind="intergovernmental"))
    db.session.flush()
    assert [o.name for o in event_settings.organisations_to_add(event)] == ["Interpol", "UNICEF"]
