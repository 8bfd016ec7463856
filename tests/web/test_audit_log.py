"""The audit log page: what the team reads, and that it can only be read."""

import html
import re
from dataclasses import replace
from datetime import UTC, date, datetime, time

import pytest

from conference.extensions import db
from conference.models import Organisation
from conference.services.audit.writing import log_action
from conference.services.events import event_settings
from conference.services.programme import publishing, rooms_tracks_speakers, timetable, workshops
from conference.services.programme.rooms_tracks_speakers import RoomDetails, SpeakerDetails
from conference.services.programme.timetable import SessionDetails, SessionSpeakerDetails
from conference.services.registration import workflow
from tests.environment import counting_queries
from tests.factories import make_organiser, register

LOG = "/vgt-2014/organiser/audit-log"


@pytest.fixture
def approved(event, organiser):
    registration = register(event, "maria@garda.example")
    workflow.approve_registration(registration, actor=organiser)
    db.session.commit()
    return registration


def rows(page: str) -> int:
    return page.count('<td data-label="What">')


def test_the_log_shows_when_in_the_events_time_zone_who_what_on_what(
    client, auth, event, organiser, approved
):
    log_action(
        "registration.checked_in",
        approved,
        actor=organiser,
        event_id=event.id,
        at=datetime(2014, 11, 5, 7, 45, tzinfo=UTC),
        reference=approved.reference,
        desk="Main entrance",
    )
    db.session.commit()
    auth.login(organiser.email)
    page = client.get(LOG).text
    for shown in [
        "5 Nov 2014, 08:45",  # 07:45 UTC in Amsterdam
        "Olga Organiser",
        "Registration: checked in",
        "Registration: approved",
        "Registration: submitted",
        f'<a href="/vgt-2014/organiser/registrations/{approved.reference}">',
        "<dt>Desk</dt>",
        "Main entrance",
        "maria@garda.example",  # the delegate, who submitted it
    ]:
        assert shown in page, shown


def test_the_system_acting_on_its_own_reads_automatically(client, auth, event, organiser, approved):
    log_action("registration.promoted", approved, actor=None, event_id=event.id)
    db.session.commit()
    auth.login(organiser.email)
    assert "Automatically" in client.get(LOG).text


@pytest.mark.parametrize("role", ["moderator", "viewer"])
def test_every_reading_role_may_read_the_log(client, auth, event, organiser, role):
    make_organiser(event, f"{role}@politie.example", role=role)
    db.session.commit()
    auth.login(f"{role}@politie.example")
    assert client.get(LOG).status_code == 200


@pytest.mark.parametrize("role", ["check_in", "delegate"])
def test_check_in_staff_and_delegates_may_not(client, auth, event, organiser, delegate, role):
    if role == "check_in":
        make_organiser(event, "checkin@politie.example", role="check_in")
        db.session.commit()
    auth.login(delegate.email if role == "delegate" else "checkin@politie.example")
    assert client.get(LOG).status_code == 403


def test_the_filters_live_in_the_query_string(client, auth, event, organiser, approved):
    other = register(event, "other@police.example")
    db.session.commit()
    auth.login(organiser.email)
    by_who = client.get(LOG, query_string={"who": "olga"}).text
    assert rows(by_who) == 1 and '<td data-label="What">Registration: approved</td>' in by_who
    by_what = client.get(LOG, query_string={"what": "registration.submitted"}).text
    assert rows(by_what) == 2
    assert '<option selected value="registration.submitted">' in by_what
    by_registration = client.get(LOG, query_string={"registration": approved.reference}).text
    assert rows(by_registration) == 2 and other.reference not in by_registration
    nothing = client.get(LOG, query_string={"registration": "VGT14-ZZZZZZ"}).text
    assert "No entries match." in nothing and "Clear" in nothing


@pytest.mark.parametrize(
    "query, message",
    [
        ({"what": "DROP TABLE"}, "Choose an action from the list."),
        ({"registration": "VGT14 OR 1=1"}, "A reference looks like VGT14-7K3QXA."),
        ({"who": "x" * 201}, "Field cannot be longer than 200 characters."),
    ],
)
def test_a_bad_filter_is_a_400_with_the_reason_beside_it(
    client, auth, event, organiser, query, message
):
    auth.login(organiser.email)
    response = client.get(LOG, query_string=query)
    assert response.status_code == 400
    assert message in response.text and "Correct the filters above" in response.text


def test_the_log_pages_through_entries_and_keeps_the_filters(client, auth, event, organiser):
    for n in range(55):
        log_action("team.reminder_sent", organiser, actor=organiser, event_id=event.id, n=n)
    db.session.commit()
    auth.login(organiser.email)
    first = client.get(LOG, query_string={"what": "team.reminder_sent"}).text
    assert rows(first) == 50 and "Showing 1–50 of 55." in first
    assert 'href="/vgt-2014/organiser/audit-log?what=team.reminder_sent&amp;page=2"' in first
    second = client.get(LOG, query_string={"what": "team.reminder_sent", "page": 2}).text
    assert rows(second) == 5 and '<dd class="text-break">0</dd>' in second


def test_the_log_offers_no_way_to_change_or_delete_an_entry(app, client, auth, organiser):
    methods = {
        method
        for rule in app.url_map.iter_rules()
        if "audit" in rule.rule
        for method in rule.methods
    }
    assert methods == {"GET", "HEAD", "OPTIONS"}
    auth.login(organiser.email)
    for method in ["POST", "PUT", "PATCH", "DELETE"]:
        assert client.open(LOG, method=method).status_code == 405


# --- the details, written for people -------------------------------------------------------------


def details_of(page: str, what: str) -> list[dict[str, str]]:
    """Each row's details as {label: text}, for the rows whose "What" is `what`, newest first."""
    found = []
    for row in re.findall(r"<tr>(.*?)</tr>", page, re.S):
        if f'<td data-label="What">{what}</td>' in row:
            pairs = re.findall(r"<dt>(.*?)</dt><dd[^>]*>(.*?)</dd>", row, re.S)
            found.append({html.unescape(k): html.unescape(v) for k, v in pairs})
    return found


def on_of(page: str, what: str) -> list[str]:
    """The "On" column of the rows whose "What" is `what`."""
    return [
        " ".join(re.sub(r"<[^>]+>", "", html.unescape(on)).split())
        for row in re.findall(r"<tr>(.*?)</tr>", page, re.S)
        if f'<td data-label="What">{what}</td>' in row
        for on in re.findall(r'<td class="text-break" data-label="On">(.*?)</td>', row, re.S)
    ]


def test_a_registrations_details_read_as_words(client, auth, event, organiser, approved):
    auth.login(organiser.email)
    page = client.get(LOG).text
    [submitted] = details_of(page, "Registration: submitted")
    assert submitted == {"Consents given": "Participant directory", "Status": "Pending"}
    [decided] = details_of(page, "Registration: approved")
    assert decided == {"Status": "Pending → Approved"}
    assert ">True<" not in page and "<dt>to status" not in page and "<dt>reference" not in page


def test_settings_changes_read_as_labels_with_old_and_new(client, auth, event, organiser):
    changed = replace(
        event_settings.settings_of(event),
        capacity=200,
        approval_required=False,
        registration_closes=datetime(2014, 10, 31, 17, 0),
    )
    event_settings.update_event(event, changed, actor=organiser)
    db.session.commit()
    auth.login(organiser.email)
    page = client.get(LOG).text
    assert details_of(page, "Event: updated") == [
        {
            "Approval required": "yes → no",
            "Capacity": "150 → 200",
            "Registration closes": "none → 31 Oct 2014, 17:00 CET",
        }
    ]
    assert on_of(page, "Event: updated") == [event.name]
    assert "Event #" not in page


def test_ids_of_known_objects_read_as_their_names(client, auth, event, organiser):
    fbi = Organisation(
        name="Federal Bureau of Investigation", short_name="FBI", kind="law_enforcement"
    )
    db.session.add(fbi)
    db.session.flush()
    event_settings.add_partner(event, actor=organiser, organisation=fbi)
    room = rooms_tracks_speakers.save_room(event, RoomDetails("Amstel room", 40), actor=organiser)
    speaker = rooms_tracks_speakers.save_speaker(
        event, SpeakerDetails("Ruud Bik", organisation_id=fbi.id), actor=organiser
    )
    session = timetable.save_session(
        event,
        SessionDetails(
            title="Finding the child",
            kind="workshop",
            day=date(2014, 11, 5),
            starts=time(13, 30),
            ends=time(15, 0),
            room_id=room.id,
            capacity=20,
            parts=(SessionSpeakerDetails(speaker.id, "chair"),),
        ),
        actor=organiser,
    )
    publishing.publish(event, actor=organiser)
    anna = register(event, "anna@police.example")
    workflow.approve_registration(anna, actor=organiser)
    workshops.sign_up(anna, session.id, actor=anna.user)
    db.session.commit()
    auth.login(organiser.email)
    page = client.get(LOG).text

    [added] = details_of(page, "Event: partner added")
    assert added == {"Organisation": "Federal Bureau of Investigation", "Place in the list": "3"}
    [created] = details_of(page, "Speaker: created")
    assert created["Organisation"] == "Federal Bureau of Investigation (FBI)"
    assert on_of(page, "Speaker: created") == ["Speaker Ruud Bik"]
    [created] = details_of(page, "Session: created")
    assert created["Room"] == "Amstel room"
    assert created["Kind"] == "Workshop"
    assert created["Starts"] == "5 Nov 2014, 13:30 CET"
    assert created["Speakers"] == "Ruud Bik (chair)"
    assert "Track" not in created or created["Track"] == "none"
    assert on_of(page, "Session: created") == ["Session “Finding the child”"]
    [signed_up] = details_of(page, "Workshop: signed up")
    assert signed_up == {
        "Workshop": "Finding the child",
        "Place": "Confirmed",
        "Workshop full": "no",
    }
    assert on_of(page, "Programme: published") == [event.name]
    for raw in ["organisation id", "room id", "session id", "speaker id", "#"]:
        assert f"<dt>{raw}" not in page


def test_the_details_read_their_names_in_a_fixed_number_of_queries(client, auth, event, organiser):
    def partners_added(count: int) -> int:
        """Queries of the log page after `count` more partners, each with a room, a speaker
        from it and a session in the room with the speaker."""
        for _ in range(count):
            n = len(event.organisations)
            organisation = Organisation(name=f"Partner {n}", kind="ngo")
            event_settings.add_partner(event, actor=organiser, organisation=organisation)
            room = rooms_tracks_speakers.save_room(
                event, RoomDetails(f"Room {n}", 10), actor=organiser
            )
            speaker = rooms_tracks_speakers.save_speaker(
                event,
                SpeakerDetails(f"Speaker {n}", organisation_id=organisation.id),
                actor=organiser,
            )
            details = SessionDetails(
                title=f"Session {n}",
                kind="panel",
                day=date(2014, 11, 5),
                starts=time(9, 0),
                ends=time(10, 0),
                room_id=room.id,
                parts=(SessionSpeakerDetails(speaker.id),),
            )
            timetable.save_session(event, details, actor=organiser)
        db.session.commit()
        with counting_queries() as statements:
            assert client.get(LOG).status_code == 200
        return len(statements)

    auth.login(organiser.email)
    assert partners_added(2) == partners_added(10)  # 49 entries: all on the first page
