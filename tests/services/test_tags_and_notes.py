"""Tags and notes: the team's own labels and remarks on registrations, and the list's order."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from conference.extensions import db
from conference.models import AuditEntry, Organisation, utcnow
from conference.models.registration import registration_tag
from conference.services.errors import AlreadyExists, NotAllowed
from conference.services.registration import listing, notes, tags
from conference.services.registration.listing import RegistrationFilter, registrations_query
from tests.factories import make_event, make_organiser, register


@pytest.fixture
def team(app):
    event = make_event()
    return event, make_organiser(event)


def actions() -> list[str]:
    return db.session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.id)).all()


def test_an_organiser_makes_a_tag_with_a_colour(team):
    event, organiser = team
    tag = tags.create_tag(event, "  Needs   visa ", "orange", actor=organiser)
    assert (tag.name, tag.colour, tag.event_id) == ("Needs visa", "orange", event.id)
    assert actions()[-1] == "tag.created"


def test_tag_names_are_unique_per_event_whatever_their_case(team):
    event, organiser = team
    tags.create_tag(event, "Speaker", "blue", actor=organiser)
    with pytest.raises(AlreadyExists, match="already a tag called “speaker”"):
        tags.create_tag(event, "speaker", "red", actor=organiser)
    other = make_event(slug="vgt-2015")
    tags.create_tag(other, "Speaker", "blue", actor=organiser)  # another event's own list


def test_a_tag_name_taken_in_the_same_instant_is_refused_by_the_database(team, monkeypatch):
    event, organiser = team
    tags.create_tag(event, "VIP", "red", actor=organiser)
    # The other request's check saw no tag yet: the unique constraint catches it.
    monkeypatch.setattr(db.session, "scalar", lambda *a, **k: None)
    with pytest.raises(AlreadyExists):
        tags.create_tag(event, "VIP", "red", actor=organiser)
    monkeypatch.undo()
    assert [t.name for t in listing.tags_of(event)] == ["VIP"]


def test_a_tag_colour_is_one_of_the_palette(team):
    event, organiser = team
    with pytest.raises(NotAllowed):
        tags.create_tag(event, "Odd", "chartreuse", actor=organiser)


def test_deleting_a_tag_takes_it_off_every_registration(team):
    event, organiser = team
    speaker = tags.create_tag(event, "Speaker", "blue", actor=organiser)
    keep = tags.create_tag(event, "VIP", "red", actor=organiser)
    first = register(event, "first@police.example")
    second = register(event, "second@police.example")
    tags.add_tag(speaker, [first, second], actor=organiser)
    tags.add_tag(keep, [first], actor=organiser)
    assert dict((t.name, n) for t, n in tags.tags_with_counts(event)) == {"Speaker": 2, "VIP": 1}
    deleted, carried = tags.delete_tag_by_id(event, speaker.id, actor=organiser)
    assert (deleted.name, carried) == ("Speaker", 2)
    assert db.session.scalars(sa.select(registration_tag.c.tag_id)).all() == [keep.id]
    assert actions()[-1] == "tag.deleted"
    with pytest.raises(NotAllowed):
        tags.delete_tag_by_id(event, speaker.id, actor=organiser)


def test_one_registration_is_tagged_and_untagged(team):
    event, organiser = team
    registration = register(event, "dana@police.example")
    vip = tags.create_tag(event, "VIP", "red", actor=organiser)
    tags.tag_registration(registration, vip.id, actor=organiser)
    tags.tag_registration(registration, vip.id, actor=organiser)  # twice: still one tag
    assert registration.tags == [vip]
    tags.tag_registration(registration, vip.id, actor=organiser, remove=True)
    assert registration.tags == []
    assert actions()[-2:] == ["registration.tagged", "registration.untagged"]
    entry = db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert entry.details == {"reference": registration.reference, "tag": "VIP"}


def test_a_tag_labels_only_its_own_events_registrations(team):
    event, organiser = team
    other = make_event(slug="vgt-2015")
    foreign = tags.create_tag(other, "VIP", "red", actor=organiser)
    registration = register(event, "dana@police.example")
    with pytest.raises(NotAllowed):
        tags.tag_registration(registration, foreign.id, actor=organiser)
    with pytest.raises(NotAllowed):
        tags.add_tag(foreign, [registration], actor=organiser)


def test_a_note_is_kept_with_its_author_and_stays_out_of_the_audit_log(team):
    event, organiser = team
    registration = register(event, "dana@police.example")
    note = notes.add_note(registration, "  Vetted by phone with her unit.\n", actor=organiser)
    assert note.body == "Vetted by phone with her unit."
    assert registration.notes == [note] and note.author == organiser
    entry = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "registration.note_added")
    ).one()
    assert entry.details == {"reference": registration.reference, "note_id": note.id}
    assert "phone" not in str(entry.details)


# --- the list's order and filters --------------------------------------------------------------


def test_the_list_sorts_by_every_column_both_ways(team):
    event, _ = team
    europol = db.session.scalars(
        sa.select(Organisation).where(Organisation.name == "Europol")
    ).one()
    people = [
        register(event, "carla@police.example", country="NL", organisation_other="Zeta Unit"),
        register(event, "anna@police.example", country="US", organisation=europol),
        register(event, "bert@police.example", country="BE", organisation_other="Alpha Unit"),
    ]
    for hours, registration in enumerate(people):
        registration.created_at = utcnow() - timedelta(hours=10 - hours)
    people[1].status = "approved"
    people[2].status = "rejected"
    db.session.flush()

    def names(sort):
        rows = db.session.scalars(registrations_query(event, sort=sort)).unique().all()
        return [r.user.name for r in rows]

    assert names("name") == ["anna", "bert", "carla"]
    assert names("-name") == ["carla", "bert", "anna"]
    assert names("organisation") == ["bert", "anna", "carla"]  # Alpha, Europol, Zeta
    assert names("country") == ["bert", "carla", "anna"]
    assert names("status") == ["anna", "carla", "bert"]  # approved, pending, rejected
    assert names("registered") == ["carla", "anna", "bert"]
    assert names("-registered") == ["bert", "anna", "carla"]
    assert names("-reference") == list(reversed(names("reference")))
    with pytest.raises(ValueError):
        names("password_hash")


def test_the_country_filter_offers_the_invited_and_the_registered_countries(team):
    event, _ = team
    register(event, "dana@police.example", country="PH")
    assert listing.countries_of(event) == ["NL", "PH", "US"]


def test_a_page_of_the_list_carries_each_registrations_tags(team):
    event, organiser = team
    registration = register(event, "dana@police.example")
    vip = tags.create_tag(event, "VIP", "red", actor=organiser)
    tags.add_tag(vip, [registration], actor=organiser)
    db.session.commit()
    db.session.expire_all()
    page = listing.registration_page(event, RegistrationFilter(tag=vip.id), "-registered", 1, 50)
    assert page.total == 1 and page.items[0].tags == [vip]
