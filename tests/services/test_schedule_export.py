"""The schedule exports: valid c3voc JSON and XML, local times with offsets, stable identifiers."""

import json
import uuid
from datetime import timedelta
from pathlib import Path

import jsonschema
import pytest
from lxml import etree

from conference.extensions import db
from conference.models import ProgrammeSession
from conference.services.programme import schedule_export
from conference.services.programme.publishing import published_programme
from tests.factories import amsterdam, build_programme
from tests.programme_data import publish

SPECS = Path(__file__).resolve().parents[1] / "specs" / "c3voc-schedule"


@pytest.fixture(scope="module")
def json_schema() -> dict:
    return json.loads((SPECS / "schema.json").read_text())


@pytest.fixture(scope="module")
def xml_schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SPECS / "schedule.xml.xsd")))


@pytest.fixture
def rows(event, organiser):
    rows = build_programme(event, sessions=8, speakers=10)
    # A break in no particular room, after the sessions of the first day.
    db.session.add(
        ProgrammeSession(
            event_id=event.id,
            title="Lunch",
            kind="break",
            starts_at=amsterdam(0, 12, 30),
            ends_at=amsterdam(0, 13, 30),
        )
    )
    db.session.commit()
    return rows


def exported(event):
    programme = published_programme(event)
    return (
        json.loads(schedule_export.schedule_json(programme, event)),
        schedule_export.schedule_xml(programme, event),
    )


def all_sessions(document: dict) -> list[dict]:
    return [
        session
        for day in document["schedule"]["conference"]["days"]
        for sessions in day["rooms"].values()
        for session in sessions
    ]


def validate_json(document: dict, schema: dict) -> None:
    validator = jsonschema.Draft6Validator(
        schema, format_checker=jsonschema.Draft6Validator.FORMAT_CHECKER
    )
    validator.validate(document)


def test_the_json_is_valid_against_the_c3voc_schema(event, organiser, rows, json_schema):
    publish(event, organiser)
    document, _ = exported(event)
    validate_json(document, json_schema)
    assert len(all_sessions(document)) == 9


def test_the_schema_check_catches_a_broken_document(event, organiser, rows, json_schema):
    """A control: the validator does reject what the schema forbids."""
    publish(event, organiser)
    document, _ = exported(event)
    del all_sessions(document)[0]["guid"]
    with pytest.raises(jsonschema.ValidationError):
        validate_json(document, json_schema)


def test_the_xml_is_valid_against_the_c3voc_xsd(event, organiser, rows, xml_schema):
    publish(event, organiser)
    _, xml = exported(event)
    tree = etree.fromstring(xml.encode())
    xml_schema.assertValid(tree)
    assert len(tree.findall("day/room/event")) == 9
    assert xml.startswith('<?xml version="1.0" encoding="utf-8"?>')


def test_the_conference_carries_its_acronym_title_days_rooms_and_tracks(event, organiser, rows):
    publish(event, organiser)
    document, xml = exported(event)
    conference = document["schedule"]["conference"]
    assert conference["acronym"] == "vgt_2014"
    assert conference["title"] == event.name
    assert (conference["start"], conference["end"]) == ("2014-11-05", "2014-11-06")
    assert conference["daysCount"] == 2
    assert conference["time_zone_name"] == "Europe/Amsterdam"
    assert [day["date"] for day in conference["days"]] == ["2014-11-05", "2014-11-06"]
    assert [room["name"] for room in conference["rooms"]] == [
        "Main hall",
        "Room Amsterdam",
        "Room Utrecht",
        event.venue,  # where the sessions in no particular room are
    ]
    assert {"name": "Live streaming", "slug": "live-streaming", "color": "#6f42c1"} in conference[
        "tracks"
    ]
    tree = etree.fromstring(xml.encode())
    assert tree.findtext("conference/acronym") == "vgt_2014"
    assert tree.findtext("conference/days") == "2"
    assert tree.find("conference/track[@slug='live-streaming']").get("color") == "#6f42c1"


def test_the_version_is_the_programmes_publication_number(event, organiser, rows):
    publish(event, organiser)
    rows.sessions[0].title = "Opening, moved"
    db.session.commit()
    publish(event, organiser)
    document, xml = exported(event)
    assert document["schedule"]["version"] == "2"
    assert etree.fromstring(xml.encode()).findtext("version") == "2"


def test_times_are_amsterdam_time_with_the_offset(event, organiser, rows):
    """09:00 in Amsterdam on 5 November is 08:00 UTC: the export says 09:00+01:00."""
    session = rows.sessions[0]
    assert session.starts_at.isoformat() == "2014-11-05T08:00:00+00:00"
    session.ends_at = session.starts_at + timedelta(minutes=90)
    db.session.commit()
    publish(event, organiser)
    document, xml = exported(event)
    found = next(s for s in all_sessions(document) if s["id"] == session.id)
    assert found["date"] == "2014-11-05T09:00:00+01:00"
    assert found["start"] == "09:00"
    assert found["end"] == "2014-11-05T10:30:00+01:00"
    assert found["duration"] == "01:30"
    day = document["schedule"]["conference"]["days"][0]
    assert day["day_start"] == "2014-11-05T09:00:00+01:00"
    assert day["day_end"] == "2014-11-05T13:30:00+01:00"  # the end of lunch

    element = etree.fromstring(xml.encode()).find(f"day/room/event[@id='{session.id}']")
    assert element.findtext("date") == "2014-11-05T09:00:00+01:00"
    assert element.findtext("start") == "09:00"
    assert element.findtext("duration") == "01:30"


def test_guids_are_stable_from_one_version_to_the_next(event, organiser, rows):
    publish(event, organiser)
    first, _ = exported(event)
    rows.sessions[0].title = "Renamed"
    db.session.commit()
    publish(event, organiser)
    second, xml = exported(event)
    guids = {s["id"]: s["guid"] for s in all_sessions(first)}
    assert guids == {s["id"]: s["guid"] for s in all_sessions(second)}
    assert len(set(guids.values())) == len(guids)
    session_id = rows.sessions[0].id
    assert guids[session_id] == str(
        uuid.uuid5(uuid.NAMESPACE_URL, f"conference:vgt-2014/sessions/{session_id}")
    )
    element = etree.fromstring(xml.encode()).find(f"day/room/event[@id='{session_id}']")
    assert element.get("guid") == guids[session_id]


def test_persons_carry_their_ids_and_names(event, organiser, rows):
    publish(event, organiser)
    document, xml = exported(event)
    session = next(s for s in all_sessions(document) if s["id"] == rows.sessions[1].id)
    speakers = [rows.speakers[1], rows.speakers[9]]  # build_programme: speaker n in session n % 8
    assert [(p["id"], p["public_name"]) for p in session["persons"]] == [
        (s.id, s.name) for s in speakers
    ]
    persons = etree.fromstring(xml.encode()).findall(
        f"day/room/event[@id='{rows.sessions[1].id}']/persons/person"
    )
    assert [(int(p.get("id")), p.text) for p in persons] == [(s.id, s.name) for s in speakers]


def test_the_output_is_the_same_every_time(event, organiser, rows):
    publish(event, organiser)
    programme = published_programme(event)
    assert schedule_export.schedule_json(programme, event) == schedule_export.schedule_json(
        published_programme(event), event
    )
    assert schedule_export.schedule_xml(programme, event) == schedule_export.schedule_xml(
        published_programme(event), event
    )


def test_the_xml_escapes_everything(event, organiser, rows, xml_schema, json_schema):
    nasty = "Tom & Jerry <script>alert(\"x\")</script> 'quoted' ]]> \x0b\x1f end"
    rows.sessions[0].title = nasty
    rows.sessions[0].abstract = "<b>bold</b> & more"
    rows.speakers[0].name = 'O\'Brien & "Sons" <ltd>'
    rows.rooms[0].name = "Hall <A> & B"
    db.session.commit()
    publish(event, organiser)
    document, xml = exported(event)
    validate_json(document, json_schema)
    tree = etree.fromstring(xml.encode())
    xml_schema.assertValid(tree)
    element = tree.find(f"day/room/event[@id='{rows.sessions[0].id}']")
    assert element.findtext("title") == nasty.replace("\x0b", "").replace("\x1f", "")
    assert element.findtext("abstract") == "<b>bold</b> & more"
    assert element.findtext("room") == "Hall <A> & B"
    assert element.find("persons/person").text == 'O\'Brien & "Sons" <ltd>'
    assert "<script>" not in xml


def test_the_web_exports_serve_the_published_schedule(client, event, organiser, rows):
    publish(event, organiser)
    as_json = client.get("/vgt-2014/schedule.json")
    assert as_json.status_code == 200 and as_json.mimetype == "application/json"
    assert as_json.json["schedule"]["conference"]["acronym"] == "vgt_2014"
    as_xml = client.get("/vgt-2014/schedule.xml")
    assert as_xml.status_code == 200 and as_xml.mimetype == "application/xml"
    assert etree.fromstring(as_xml.data).findtext("version") == "1"
    session = all_sessions(as_json.json)[0]
    assert session["url"] == f"http://localhost/vgt-2014/programme/sessions/{session['id']}"


def test_the_exports_ignore_unpublished_edits(client, event, organiser, rows):
    publish(event, organiser)
    rows.sessions[0].title = "Still a draft"
    db.session.commit()
    assert "Still a draft" not in client.get("/vgt-2014/schedule.json").text
    assert "Still a draft" not in client.get("/vgt-2014/schedule.xml").text
