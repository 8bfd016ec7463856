"""The programme editor through its pages, with CSRF protection on."""

import re
from datetime import UTC, date, datetime, time

import pytest
import sqlalchemy as sa

from conference.extensions import db
from conference.models import (
    AuditEntry,
    Event,
    OutboxEmail,
    ProgrammeSession,
    ProgrammeVersion,
    Room,
    SessionSignup,
    Speaker,
    Track,
)
from conference.models import RegistrationStatus as Status
from conference.services.programme import rooms_tracks_speakers, timetable
from conference.services.programme.rooms_tracks_speakers import (
    RoomDetails,
    SpeakerDetails,
    TrackDetails,
)
from conference.services.programme.timetable import SessionDetails, SessionSpeakerDetails
from tests.client import assert_redirects, csrf_token
from tests.factories import make_organiser, register

PROGRAMME = "/vgt-2014/organiser/programme"
NEW_SESSION = PROGRAMME + "/sessions/new"


@pytest.fixture
def app_settings() -> dict:
    return {"WTF_CSRF_ENABLED": True}


@pytest.fixture
def logged_in(client, auth, event, organiser):
    auth.login(organiser.email)
    return client


@pytest.fixture
def rooms(event, organiser):
    rooms = [
        rooms_tracks_speakers.save_room(event, RoomDetails("Auditorium", 200, 0), actor=organiser),
        rooms_tracks_speakers.save_room(event, RoomDetails("Room B", 30, 1), actor=organiser),
    ]
    db.session.commit()
    return rooms


@pytest.fixture
def ruud(event, organiser):
    speaker = rooms_tracks_speakers.save_speaker(
        event, SpeakerDetails("Ruud Bik", title="Deputy chief of police"), actor=organiser
    )
    db.session.commit()
    return speaker


def submit(client, path: str, data: dict, form_page: str | None = None):
    """Post a form the way a browser does: open its page first for the CSRF token."""
    token = csrf_token(client.get(form_page or path).text)
    return client.post(path, data={**data, "csrf_token": token})


def session_form(**overrides) -> dict:
    values = {
        "title": "Opening plenary",
        "kind": "plenary",
        "day": "2014-11-05",
        "starts": "09:00",
        "ends": "10:30",
        "room": "None",
        "track": "None",
        "capacity": "",
        "abstract": "Opened by the Minister of Security and Justice.",
        "parts-0-speaker": "",
        "parts-0-role": "speaker",
    }
    values.update(overrides)
    return values


def sessions() -> list[ProgrammeSession]:
    db.session.expire_all()
    return db.session.scalars(sa.select(ProgrammeSession).order_by(ProgrammeSession.id)).all()


def make_session(event, organiser, **fields) -> ProgrammeSession:
    values = {
        "title": "Opening plenary",
        "kind": "plenary",
        "day": date(2014, 11, 5),
        "starts": time(9),
        "ends": time(10, 30),
    }
    values.update(fields)
    session = timetable.save_session(event, SessionDetails(**values), actor=organiser)
    db.session.commit()
    return session


# --- the timetable ------------------------------------------------------------------------------


def test_the_timetable_shows_both_days_as_a_grid_of_rooms_by_time(
    logged_in, event, organiser, rooms, ruud
):
    track = rooms_tracks_speakers.save_track(
        event, TrackDetails("Victim identification", "green"), actor=organiser
    )
    make_session(
        event, organiser, room_id=rooms[0].id, parts=(SessionSpeakerDetails(ruud.id, "chair"),)
    )
    make_session(event, organiser, title="Coffee", kind="break", starts=time(10, 30), ends=time(11))
    make_session(
        event,
        organiser,
        title="Finding the children",
        kind="workshop",
        day=date(2014, 11, 6),
        starts=time(14),
        ends=time(15, 30),
        room_id=rooms[1].id,
        track_id=track.id,
        capacity=25,
    )
    page = logged_in.get(PROGRAMME).text
    assert "Wednesday 5 November 2014" in page and "Thursday 6 November 2014" in page
    assert re.search(r"<th scope=\"col\">Auditorium.*?<th scope=\"col\">Room B", page, re.S)
    assert re.search(
        r'<td rowspan="6" class="timetable-session session-no-track kind-plenary"', page
    )
    assert 'rowspan="2" colspan="2"' in page  # the coffee break, for every room
    assert re.search(r'rowspan="6" class="timetable-session tag-green kind-workshop"', page)
    assert ">08:45<" not in page and ">09:00<" in page and ">10:45<" in page
    assert "Ruud Bik (chair)" in page
    assert "14:00–15:30 · Workshop · 25 places · Victim identification" in page
    assert "Draft</span> Not yet published" in page
    assert "style=" not in page and "<script>" not in page
    assert "programme-editor.css" in page


def test_an_empty_programme_says_so_and_a_programme_without_rooms_still_shows(
    logged_in, event, organiser
):
    page = logged_in.get(PROGRAMME).text
    assert page.count("No sessions on this day yet.") == 2
    make_session(event, organiser, title="Welcome", kind="plenary")
    page = logged_in.get(PROGRAMME).text
    assert '<th scope="col">Sessions</th>' in page and "Welcome" in page


def test_an_empty_slot_starts_a_session_there(logged_in, rooms):
    page = logged_in.get(NEW_SESSION + f"?day=2014-11-06&starts=14:15&room={rooms[1].id}").text
    assert 'value="2014-11-06"' in page and 'value="14:15"' in page
    assert f'<option selected value="{rooms[1].id}">Room B</option>' in page


# --- creating, refusing, warning ---------------------------------------------------------------


def test_an_organiser_creates_a_session_in_amsterdam_time(logged_in, rooms, ruud):
    response = submit(
        logged_in,
        NEW_SESSION,
        session_form(
            room=str(rooms[0].id), **{"parts-0-speaker": str(ruud.id), "parts-0-role": "chair"}
        ),
    )
    (session,) = sessions()
    assert_redirects(response, to=f"{PROGRAMME}#session-{session.id}")
    assert session.starts_at == datetime(2014, 11, 5, 8, tzinfo=UTC)
    assert [(p.speaker_id, p.role) for p in session.speakers] == [(ruud.id, "chair")]
    assert db.session.scalars(sa.select(AuditEntry.action)).all().count("session.created") == 1


def test_a_room_clash_is_refused_beside_the_room_naming_the_other_session(
    logged_in, event, organiser, rooms
):
    make_session(event, organiser, room_id=rooms[0].id)
    response = submit(
        logged_in,
        NEW_SESSION,
        session_form(title="Live streaming", starts="10:00", ends="11:00", room=str(rooms[0].id)),
    )
    assert response.status_code == 409
    assert "Not saved: this cannot be." in response.text
    assert (
        "Auditorium already holds “Opening plenary” at that time (5 November, 09:00–10:30)"
        in response.text
    )
    assert 'id="room-error"' in response.text
    assert "Save anyway" not in response.text  # a refusal cannot be overridden
    assert len(sessions()) == 1


@pytest.mark.parametrize(
    ("day", "starts", "ends", "message"),
    [
        ("2014-11-07", "09:00", "10:00", "choose one of its days"),
        ("2014-11-05", "23:00", "00:30", "cannot end before it starts or run past midnight"),
    ],
)
def test_impossible_times_are_refused(logged_in, day, starts, ends, message):
    response = submit(logged_in, NEW_SESSION, session_form(day=day, starts=starts, ends=ends))
    assert response.status_code == 409
    assert message in response.text
    assert sessions() == []


def test_a_speaker_in_two_places_is_warned_and_saved_when_confirmed(
    logged_in, event, organiser, rooms, ruud
):
    make_session(event, organiser, room_id=rooms[0].id, parts=(SessionSpeakerDetails(ruud.id),))
    clash = session_form(
        title="Tracing offenders",
        kind="workshop",
        starts="10:00",
        ends="11:00",
        room=str(rooms[1].id),
        capacity="40",
        **{"parts-0-speaker": str(ruud.id)},
    )
    response = submit(logged_in, NEW_SESSION, clash)
    assert response.status_code == 409
    assert "Ruud Bik is also in “Opening plenary” at that time" in response.text
    assert "Room B seats 30: 40 places for sign-up are more than that." in response.text
    assert "Save anyway" in response.text
    assert len(sessions()) == 1
    token = csrf_token(response.text)
    confirmed = logged_in.post(
        NEW_SESSION, data={**clash, "accept_warnings": "y", "csrf_token": token}
    )
    assert [s.title for s in sessions()] == ["Opening plenary", "Tracing offenders"]
    assert_redirects(confirmed, to=f"{PROGRAMME}#session-{sessions()[1].id}")


def test_a_session_form_sent_twice_creates_one_session(logged_in):
    token = csrf_token(logged_in.get(NEW_SESSION).text)
    first, second = [
        logged_in.post(NEW_SESSION, data={**session_form(), "csrf_token": token}) for _ in range(2)
    ]
    (session,) = sessions()
    assert_redirects(first, to=f"{PROGRAMME}#session-{session.id}")
    assert second.status_code == 409


def test_bad_input_is_a_400_with_the_fields_marked(logged_in):
    response = submit(logged_in, NEW_SESSION, session_form(title="", starts="nine", kind="party"))
    assert response.status_code == 400
    assert "Give the session a title." in response.text
    assert 'id="starts-error"' in response.text
    assert sessions() == []


def test_a_form_without_its_csrf_token_is_refused(logged_in):
    response = logged_in.post(NEW_SESSION, data=session_form())
    assert response.status_code == 400
    assert sessions() == []


# --- editing and deleting -----------------------------------------------------------------------


def test_moving_a_session_to_another_room_and_time(logged_in, event, organiser, rooms):
    session = make_session(event, organiser, room_id=rooms[0].id)
    path = f"{PROGRAMME}/sessions/{session.id}"
    page = logged_in.get(path).text
    assert 'value="09:00"' in page and 'value="Opening plenary"' in page
    response = submit(
        logged_in,
        path,
        session_form(day="2014-11-06", starts="11:00", ends="12:00", room=str(rooms[1].id)),
    )
    (moved,) = sessions()
    assert_redirects(response, to=f"{PROGRAMME}#session-{moved.id}")
    assert (moved.room_id, moved.starts_at) == (rooms[1].id, datetime(2014, 11, 6, 10, tzinfo=UTC))


def test_a_session_with_sign_ups_is_not_deleted(logged_in, event, organiser, rooms):
    from conference.models import SessionSignup

    session = make_session(event, organiser, kind="workshop", room_id=rooms[1].id, capacity=10)
    registration = register(event, "signed.up@police.example")
    db.session.add(
        SessionSignup(session_id=session.id, registration_id=registration.id, status="confirmed")
    )
    db.session.commit()
    path = f"{PROGRAMME}/sessions/{session.id}"
    response = submit(logged_in, path + "/delete", {}, form_page=path)
    assert_redirects(response, to=path)
    assert "1 delegate signed up" in logged_in.get(path).text
    assert len(sessions()) == 1


def test_deleting_a_session(logged_in, event, organiser):
    session = make_session(event, organiser)
    path = f"{PROGRAMME}/sessions/{session.id}"
    response = submit(logged_in, path + "/delete", {}, form_page=path)
    assert_redirects(response, to=PROGRAMME)
    assert sessions() == []


def test_a_session_of_another_event_is_not_found(logged_in, organiser):
    assert logged_in.get(f"{PROGRAMME}/sessions/999").status_code == 404


# --- publishing ---------------------------------------------------------------------------------


def test_publishing_shows_the_version_and_later_changes(logged_in, event, organiser):
    make_session(event, organiser)
    response = submit(logged_in, PROGRAMME + "/publish", {}, form_page=PROGRAMME)
    assert_redirects(response, to=PROGRAMME)
    page = logged_in.get(PROGRAMME).text
    assert "Published version 1" in page
    assert "Version 1, published on" in page
    make_session(event, organiser, title="Closing", day=date(2014, 11, 6))
    assert "there are unpublished changes" in logged_in.get(PROGRAMME).text
    submit(logged_in, PROGRAMME + "/publish", {}, form_page=PROGRAMME)
    assert db.session.scalar(sa.select(sa.func.max(ProgrammeVersion.number))) == 2


def test_a_freshly_seeded_demo_has_nothing_unpublished_until_an_organiser_edits(
    client, auth, runner
):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    event = db.session.scalars(sa.select(Event)).one()
    olga = make_organiser(event, "olga@politie.example")
    db.session.commit()
    auth.login(olga.email)

    page = client.get(PROGRAMME).text

    assert "Version 1, published on" in page
    assert "unpublished changes" not in page
    assert '<button type="submit" class="btn btn-brand" disabled>Publish</button>' in page

    vondel = db.session.scalars(sa.select(Room).where(Room.name == "Vondel room")).one()
    response = submit(
        client,
        f"{PROGRAMME}/rooms/{vondel.id}",
        {"name": "Vondel hall", "capacity": "20", "position": str(vondel.position)},
    )
    assert response.headers["Location"] == PROGRAMME + "/rooms"
    page = client.get(PROGRAMME).text
    assert "there are unpublished changes" in page
    assert '<button type="submit" class="btn btn-brand">Publish</button>' in page


def test_publishing_twice_in_a_row_makes_one_version(logged_in, event, organiser):
    make_session(event, organiser)
    token = csrf_token(logged_in.get(PROGRAMME).text)
    for _ in range(2):  # a double click
        logged_in.post(PROGRAMME + "/publish", data={"csrf_token": token})
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ProgrammeVersion)) == 1
    assert "Nothing has changed since version 1" in logged_in.get(PROGRAMME).text


# --- rooms, tracks, speakers --------------------------------------------------------------------


def test_an_organiser_adds_edits_and_deletes_a_room(logged_in):
    response = submit(
        logged_in,
        PROGRAMME + "/rooms/new",
        {"name": "Auditorium", "capacity": "200", "position": "0"},
    )
    assert_redirects(response, to=PROGRAMME + "/rooms")
    room = db.session.scalars(sa.select(Room)).one()
    assert "Auditorium" in logged_in.get(PROGRAMME + "/rooms").text
    path = f"{PROGRAMME}/rooms/{room.id}"
    submit(logged_in, path, {"name": "Main hall", "capacity": "", "position": "1"})
    db.session.expire_all()
    assert (room.name, room.capacity, room.position) == ("Main hall", None, 1)
    submit(logged_in, path + "/delete", {}, form_page=path)
    assert db.session.scalars(sa.select(Room)).all() == []


def test_a_duplicate_room_is_refused_beside_its_name(logged_in, rooms):
    response = submit(
        logged_in, PROGRAMME + "/rooms/new", {"name": "room b", "capacity": "", "position": "3"}
    )
    assert response.status_code == 409
    assert 'id="name-error"' in response.text and "There is already a room called" in response.text


def test_a_room_holding_sessions_is_not_deleted(logged_in, event, organiser, rooms):
    make_session(event, organiser, room_id=rooms[0].id)
    path = f"{PROGRAMME}/rooms/{rooms[0].id}"
    response = submit(logged_in, path + "/delete", {}, form_page=path)
    assert_redirects(response, to=path)
    assert "Auditorium cannot be deleted: it holds 1 session (“Opening plenary”)" in (
        logged_in.get(path).text
    )


def test_an_organiser_adds_a_track_with_a_colour(logged_in):
    response = submit(
        logged_in,
        PROGRAMME + "/tracks/new",
        {"name": "Live streaming", "colour": "teal", "description": "Remote abuse via webcam."},
    )
    assert_redirects(response, to=PROGRAMME + "/tracks")
    assert db.session.scalars(sa.select(Track.colour)).one() == "teal"
    assert "tag-teal" in logged_in.get(PROGRAMME + "/tracks").text


def test_an_organiser_adds_a_speaker_from_a_partner_linked_to_a_delegate(logged_in, event):
    registration = register(event, "troels@europol.example")
    db.session.commit()
    europol = event.partners[0].organisation
    page = logged_in.get(PROGRAMME + "/speakers/new").text
    assert "Europol" in page and "Another organisation" in page
    response = submit(
        logged_in,
        PROGRAMME + "/speakers/new",
        {
            "name": "Troels Oerting",
            "title": "Head of the European Cybercrime Centre",
            "organisation": str(europol.id),
            "organisation_other": "",
            "bio": "",
            "user_email": "troels@europol.example",
        },
    )
    assert_redirects(response, to=PROGRAMME + "/speakers")
    speaker = db.session.scalars(sa.select(Speaker)).one()
    assert (speaker.organisation_id, speaker.user_id) == (europol.id, registration.user_id)
    assert "Delegate account" in logged_in.get(PROGRAMME + "/speakers").text


def test_another_organisation_must_be_typed(logged_in):
    response = submit(
        logged_in,
        PROGRAMME + "/speakers/new",
        {"name": "Jane", "organisation": "other", "organisation_other": ""},
    )
    assert response.status_code == 400
    assert "Type the name of the organisation." in response.text


def test_an_unknown_delegate_email_is_refused_beside_the_field(logged_in):
    response = submit(
        logged_in,
        PROGRAMME + "/speakers/new",
        {"name": "Jane", "organisation": "", "user_email": "nobody@example.org"},
    )
    assert response.status_code == 409
    assert 'id="user_email-error"' in response.text
    assert "No delegate registered for VGT 2014" in response.text


# --- who may do what -----------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["viewer", "moderator"])
def test_the_team_reads_the_draft_but_only_organisers_change_it(
    client, auth, event, organiser, role
):
    session = make_session(event, organiser)
    make_organiser(event, f"{role}@politie.example", role=role)
    db.session.commit()
    auth.login(f"{role}@politie.example")
    page = client.get(PROGRAMME).text
    assert "Opening plenary" in page and "New session" not in page and ">Publish<" not in page
    edit = client.get(f"{PROGRAMME}/sessions/{session.id}")
    assert edit.status_code == 200 and "<fieldset disabled>" in edit.text
    assert "Delete session" not in edit.text
    token = csrf_token(edit.text)
    refused = client.post(
        f"{PROGRAMME}/sessions/{session.id}", data={**session_form(title="X"), "csrf_token": token}
    )
    assert refused.status_code == 403
    assert client.get(NEW_SESSION).status_code == 403
    assert client.post(PROGRAMME + "/publish", data={"csrf_token": token}).status_code == 403
    assert sessions()[0].title == "Opening plenary"


def test_the_back_office_menu_links_the_programme(logged_in):
    nav = logged_in.get(PROGRAMME).text.split('aria-label="Back office"')[1]
    active = r'active" aria-current="page" href="/vgt-2014/organiser/programme">Programme<'
    assert re.search(active, nav)


def test_raising_a_workshops_capacity_gives_the_place_to_the_first_waiting(
    logged_in, event, organiser, rooms
):
    """Through the form, the waiting list gets the new places for real."""
    workshop = make_session(
        event,
        organiser,
        title="Tracing offenders",
        kind="workshop",
        room_id=rooms[1].id,
        capacity=1,
    )
    statuses = ["confirmed", "waitlisted", "waitlisted"]
    for n, status in enumerate(statuses):
        registration = register(event, f"delegate{n}@police.example")
        registration.status = Status.APPROVED
        db.session.add(
            SessionSignup(session_id=workshop.id, registration_id=registration.id, status=status)
        )
        db.session.flush()
    db.session.commit()
    outbox_before = db.session.scalar(sa.select(sa.func.count()).select_from(OutboxEmail))
    path = f"{PROGRAMME}/sessions/{workshop.id}"
    response = submit(
        logged_in,
        path,
        session_form(
            title="Tracing offenders", kind="workshop", room=str(rooms[1].id), capacity="2"
        ),
    )
    assert_redirects(response, to=f"{PROGRAMME}#session-{workshop.id}")
    db.session.expire_all()
    signups = db.session.scalars(sa.select(SessionSignup.status).order_by(SessionSignup.id)).all()
    assert signups == ["confirmed", "confirmed", "waitlisted"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxEmail)) > outbox_before
    lower = session_form(
        title="Tracing offenders", kind="workshop", room=str(rooms[1].id), capacity="1"
    )
    refused = submit(logged_in, path, lower)
    assert refused.status_code == 409
    assert "2 delegates have a confirmed place" in refused.text
    assert 'id="capacity-error"' in refused.text
