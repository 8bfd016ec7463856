"""The programme editor's rules, without HTTP: rooms, tracks, speakers, sessions, conflicts."""

from dataclasses import replace
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from conference.extensions import db
from conference.models import (
    AuditEntry,
    ProgrammeSession,
    Room,
    SessionSignup,
    SignupStatus,
    Speaker,
    Track,
)
from conference.models import RegistrationStatus as Status
from conference.public.timetable import day_grid
from conference.services.errors import AlreadyDone, NotFound
from conference.services.programme import publishing, rooms_tracks_speakers, timetable
from conference.services.programme.rooms_tracks_speakers import (
    RoomDetails,
    SpeakerDetails,
    TimetableRefused,
    TrackDetails,
)
from conference.services.programme.timetable import (
    SessionConflicts,
    SessionDetails,
    SessionSpeakerDetails,
)
from conference.services.programme.timetable_grid import grid_of_day
from tests.factories import make_event, make_organiser, organisation, register

FIRST_DAY = date(2014, 11, 5)


@pytest.fixture
def event(app):
    return make_event()


@pytest.fixture
def organiser(event):
    return make_organiser(event)


@pytest.fixture
def rooms(event, organiser):
    return [
        rooms_tracks_speakers.save_room(event, RoomDetails("Auditorium", 200, 0), actor=organiser),
        rooms_tracks_speakers.save_room(event, RoomDetails("Room B", 30, 1), actor=organiser),
    ]


@pytest.fixture
def speakers(event, organiser):
    return [
        rooms_tracks_speakers.save_speaker(event, SpeakerDetails("Ruud Bik"), actor=organiser),
        rooms_tracks_speakers.save_speaker(event, SpeakerDetails("Anna Jansen"), actor=organiser),
    ]


def session_details(**overrides) -> SessionDetails:
    values = {
        "title": "Opening plenary",
        "kind": "plenary",
        "day": FIRST_DAY,
        "starts": time(9, 0),
        "ends": time(10, 30),
    }
    values.update(overrides)
    return SessionDetails(**values)


def audit(action: str) -> list[AuditEntry]:
    return db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
    ).all()


def add_signups(event, session, confirmed=0, waitlisted=0):
    for n in range(confirmed + waitlisted):
        registration = register(event, f"delegate{session.id}.{n}@police.example")
        registration.status = Status.APPROVED
        db.session.add(
            SessionSignup(
                session_id=session.id,
                registration_id=registration.id,
                status=SignupStatus.CONFIRMED if n < confirmed else SignupStatus.WAITLISTED,
            )
        )
    db.session.flush()


# --- sessions and their times ------------------------------------------------------------------


def test_a_session_typed_in_amsterdam_time_is_stored_in_utc_and_audited(event, organiser, rooms):
    session = timetable.save_session(event, session_details(room_id=rooms[0].id), actor=organiser)
    assert session.starts_at == datetime(2014, 11, 5, 8, 0, tzinfo=UTC)
    assert session.ends_at == datetime(2014, 11, 5, 9, 30, tzinfo=UTC)
    (entry,) = audit("session.created")
    assert entry.details["title"] == "Opening plenary"
    assert entry.details["starts_at"] == "2014-11-05T08:00:00+00:00"
    assert timetable.details_of(session).starts == time(9, 0)


def test_speakers_keep_their_roles_and_order(event, organiser, speakers):
    chair, speaker = speakers
    session = timetable.save_session(
        event,
        session_details(
            kind="panel",
            parts=(
                SessionSpeakerDetails(speaker.id, "speaker"),
                SessionSpeakerDetails(chair.id, "chair"),
            ),
        ),
        actor=organiser,
    )
    assert [(p.speaker.name, p.role) for p in session.speakers] == [
        ("Anna Jansen", "speaker"),
        ("Ruud Bik", "chair"),
    ]
    timetable.save_session(
        event,
        session_details(kind="panel", parts=(SessionSpeakerDetails(chair.id, "moderator"),)),
        actor=organiser,
        session=session,
    )
    db.session.expire_all()
    assert [(p.speaker.name, p.role) for p in session.speakers] == [("Ruud Bik", "moderator")]
    (entry,) = audit("session.updated")
    assert entry.details["changes"]["speakers"][1] == [[chair.id, "moderator"]]


def test_a_speaker_listed_twice_is_refused(event, organiser, speakers):
    twice = (SessionSpeakerDetails(speakers[0].id), SessionSpeakerDetails(speakers[0].id, "chair"))
    with pytest.raises(TimetableRefused, match="once"):
        timetable.save_session(event, session_details(parts=twice), actor=organiser)


def test_another_events_room_is_not_found(event, organiser):
    other = make_event(slug="other")
    room = rooms_tracks_speakers.save_room(other, RoomDetails("Elsewhere", None), actor=organiser)
    with pytest.raises(NotFound):
        timetable.save_session(event, session_details(room_id=room.id), actor=organiser)


# --- conflicts ---------------------------------------------------------------------------------


def test_two_sessions_in_one_room_at_once_are_refused_naming_the_other(event, organiser, rooms):
    timetable.save_session(event, session_details(room_id=rooms[0].id), actor=organiser)
    clash = session_details(
        title="Live streaming", starts=time(10), ends=time(11), room_id=rooms[0].id
    )
    with pytest.raises(SessionConflicts) as refused:
        timetable.save_session(event, clash, actor=organiser, accept_warnings=True)
    assert refused.value.refused[0].field == "room"
    assert refused.value.message == (
        "Auditorium already holds “Opening plenary” at that time (5 November, 09:00–10:30): "
        "two sessions cannot share a room."
    )


def test_the_same_session_twice_is_refused_as_a_replay(event, organiser):
    timetable.save_session(event, session_details(), actor=organiser)
    with pytest.raises(SessionConflicts, match="“Opening plenary” is already on the programme"):
        timetable.save_session(event, session_details(), actor=organiser, accept_warnings=True)


def test_back_to_back_sessions_and_other_rooms_do_not_clash(event, organiser, rooms):
    timetable.save_session(event, session_details(room_id=rooms[0].id), actor=organiser)
    after = session_details(title="Next", starts=time(10, 30), ends=time(11), room_id=rooms[0].id)
    elsewhere = session_details(title="Parallel", room_id=rooms[1].id)
    assert timetable.conflicts_of(event, after) == []
    assert timetable.conflicts_of(event, elsewhere) == []


def test_moving_a_session_does_not_clash_with_itself(event, organiser, rooms):
    session = timetable.save_session(event, session_details(room_id=rooms[0].id), actor=organiser)
    later = session_details(starts=time(9, 30), ends=time(11), room_id=rooms[0].id)
    timetable.save_session(event, later, actor=organiser, session=session)
    assert session.ends_at == datetime(2014, 11, 5, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize("day", [date(2014, 11, 4), date(2014, 11, 7)])
def test_a_session_outside_the_events_days_is_refused(event, organiser, day):
    conflicts = timetable.conflicts_of(event, session_details(day=day))
    assert [(c.field, c.refused) for c in conflicts] == [("day", True)]
    assert "runs from 5 November to 6 November 2014" in conflicts[0].message
    with pytest.raises(SessionConflicts):
        timetable.save_session(event, session_details(day=day), actor=organiser)


@pytest.mark.parametrize(
    "when, message",
    [
        # The last Sunday of March 2014: 02:00 became 03:00 in Amsterdam.
        ((date(2014, 3, 30), time(2, 30), time(4)), "There is no 02:30 on 30 March"),
        # The last Sunday of October 2014: 03:00 became 02:00 again.
        ((date(2014, 10, 26), time(1), time(2, 30)), "02:30 on 26 October happens twice"),
    ],
)
def test_a_time_the_clock_change_skips_or_repeats_is_refused(organiser, when, message):
    event = make_event(slug="dst-2014")
    event.starts_on, event.ends_on = date(2014, 3, 30), date(2014, 10, 26)
    day, starts, ends = when
    details = session_details(day=day, starts=starts, ends=ends)
    with pytest.raises(SessionConflicts, match=message):
        timetable.save_session(event, details, actor=organiser)
    # An hour away from the change, the same day is fine, and stored in UTC as meant.
    fine = timetable.save_session(
        event, session_details(day=day, starts=time(10), ends=time(11)), actor=organiser
    )
    assert fine.starts_at.astimezone(ZoneInfo("Europe/Amsterdam")).hour == 10


@pytest.mark.parametrize("ends", [time(8, 0), time(9, 0), time(0, 30)])
def test_ending_before_it_starts_or_past_midnight_is_refused(event, organiser, ends):
    with pytest.raises(SessionConflicts, match="cannot end before it starts or run past midnight"):
        timetable.save_session(event, session_details(ends=ends), actor=organiser)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ProgrammeSession)) == 0


def test_a_speaker_in_two_places_at_once_is_a_warning_that_can_be_accepted(
    event, organiser, rooms, speakers
):
    ruud = speakers[0]
    timetable.save_session(
        event,
        session_details(room_id=rooms[0].id, parts=(SessionSpeakerDetails(ruud.id),)),
        actor=organiser,
    )
    workshop = session_details(
        title="Victim identification",
        kind="workshop",
        starts=time(10),
        ends=time(12),
        room_id=rooms[1].id,
        parts=(SessionSpeakerDetails(ruud.id, "moderator"),),
    )
    with pytest.raises(SessionConflicts) as warned:
        timetable.save_session(event, workshop, actor=organiser)
    assert warned.value.refused == []
    assert warned.value.warnings[0].message == (
        "Ruud Bik is also in “Opening plenary” at that time (5 November, 09:00–10:30, Auditorium)."
    )
    session = timetable.save_session(event, workshop, actor=organiser, accept_warnings=True)
    assert session.id is not None
    (entry,) = [e for e in audit("session.created") if e.object_id == session.id]
    assert entry.details["warnings_accepted"] == [warned.value.warnings[0].message]


def test_a_workshop_with_more_places_than_seats_is_a_warning(event, organiser, rooms):
    workshop = session_details(kind="workshop", room_id=rooms[1].id, capacity=40)
    (conflict,) = timetable.conflicts_of(event, workshop)
    assert not conflict.refused and conflict.field == "capacity"
    assert conflict.message == "Room B seats 30: 40 places for sign-up are more than that."
    assert timetable.conflicts_of(event, replace(workshop, capacity=30)) == []


def test_accepting_warnings_never_overrides_a_refusal(event, organiser, rooms):
    timetable.save_session(event, session_details(room_id=rooms[1].id), actor=organiser)
    clash = session_details(title="Other", room_id=rooms[1].id, capacity=50)
    with pytest.raises(SessionConflicts) as refused:
        timetable.save_session(event, clash, actor=organiser, accept_warnings=True)
    assert [c.field for c in refused.value.refused] == ["room"]
    assert [c.field for c in refused.value.warnings] == ["capacity"]


# --- capacity and sign-ups ----------------------------------------------------------------------


@pytest.fixture
def workshop(event, organiser, rooms):
    return timetable.save_session(
        event,
        session_details(
            title="Tracing offenders", kind="workshop", room_id=rooms[1].id, capacity=3
        ),
        actor=organiser,
    )


@pytest.fixture
def filled(monkeypatch):
    """Records the calls that would give new places to the waiting list (tested for real in
    tests/services/test_workshops.py and tests/web/test_programme_editor.py)."""
    calls = []
    monkeypatch.setattr(
        timetable,
        "fill_from_waiting_list",
        lambda session: calls.append((session.id, session.capacity)) or [],
    )
    return calls


def test_one_confirmed_place_is_said_in_the_singular(event, organiser, workshop, filled):
    add_signups(event, workshop, confirmed=1)
    removed = replace(timetable.details_of(workshop), capacity=None)
    with pytest.raises(TimetableRefused, match="^1 delegate has a confirmed place"):
        timetable.save_session(event, removed, actor=organiser, session=workshop)


def test_the_capacity_cannot_fall_below_the_confirmed_places(event, organiser, workshop, filled):
    add_signups(event, workshop, confirmed=3)
    lower = replace(timetable.details_of(workshop), capacity=2)
    with pytest.raises(TimetableRefused, match="3 delegates have a confirmed place") as refused:
        timetable.save_session(event, lower, actor=organiser, session=workshop)
    assert refused.value.field == "capacity"
    with pytest.raises(TimetableRefused):
        timetable.save_session(
            event, replace(lower, capacity=None), actor=organiser, session=workshop
        )
    assert filled == []


def test_raising_the_capacity_gives_the_places_to_the_waiting_list(
    event, organiser, workshop, filled
):
    add_signups(event, workshop, confirmed=3, waitlisted=2)
    timetable.save_session(
        event,
        replace(timetable.details_of(workshop), capacity=5),
        actor=organiser,
        session=workshop,
    )
    assert filled == [(workshop.id, 5)]


def test_raising_the_capacity_without_sign_ups_calls_nobody(event, organiser, workshop, filled):
    details = replace(timetable.details_of(workshop), capacity=10)
    timetable.save_session(event, details, actor=organiser, session=workshop)
    assert filled == []


def test_a_session_with_sign_ups_cannot_be_deleted(event, organiser, workshop):
    add_signups(event, workshop, confirmed=1, waitlisted=1)
    with pytest.raises(TimetableRefused, match="2 delegates signed up"):
        timetable.delete_session(workshop, actor=organiser)


def test_deleting_a_session_is_audited(event, organiser, workshop):
    timetable.delete_session(workshop, actor=organiser)
    assert db.session.get(ProgrammeSession, workshop.id) is None
    assert audit("session.deleted")[0].details["title"] == "Tracing offenders"


# --- rooms, tracks, speakers -------------------------------------------------------------------


def test_room_names_are_unique_per_event_whatever_their_case(event, organiser, rooms):
    with pytest.raises(TimetableRefused, match="already a room called “auditorium”"):
        rooms_tracks_speakers.save_room(event, RoomDetails(" auditorium ", 10), actor=organiser)
    renamed = rooms_tracks_speakers.save_room(
        event, RoomDetails("Auditorium", 250, 0), actor=organiser, room=rooms[0]
    )
    assert renamed.capacity == 250
    assert audit("room.updated")[0].details["changes"] == {"capacity": [200, 250]}


def test_a_room_holding_sessions_cannot_be_deleted_and_says_which(
    event, organiser, rooms, workshop
):
    with pytest.raises(TimetableRefused, match="Room B cannot be deleted: it holds 1 session"):
        rooms_tracks_speakers.delete_room(rooms[1], actor=organiser)
    rooms_tracks_speakers.delete_room(rooms[0], actor=organiser)
    assert db.session.scalars(sa.select(Room.name)).all() == ["Room B"]


def test_tracks_take_a_colour_of_the_palette(event, organiser):
    with pytest.raises(TimetableRefused):
        rooms_tracks_speakers.save_track(
            event, TrackDetails("Live streaming", "chartreuse"), actor=organiser
        )
    track = rooms_tracks_speakers.save_track(
        event, TrackDetails("Live streaming", "teal"), actor=organiser
    )
    assert audit("track.created")[0].details["colour"] == "teal"
    assert track.colour == "teal"


def test_deleting_a_track_keeps_its_sessions(event, organiser, workshop):
    track = rooms_tracks_speakers.save_track(
        event, TrackDetails("Victims", "green"), actor=organiser
    )
    details = replace(timetable.details_of(workshop), track_id=track.id)
    timetable.save_session(event, details, actor=organiser, session=workshop)
    assert rooms_tracks_speakers.delete_track(track, actor=organiser) == 1
    db.session.expire_all()
    assert workshop.track_id is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Track)) == 0


def test_a_speaker_belongs_to_one_of_the_events_organisations_or_a_typed_one(event, organiser):
    europol = event.partners[0].organisation
    speaker = rooms_tracks_speakers.save_speaker(
        event,
        SpeakerDetails("Troels Oerting", organisation_id=europol.id, organisation_other="x"),
        actor=organiser,
    )
    assert speaker.organisation_name == "Europol" and speaker.organisation_other == ""
    typed = rooms_tracks_speakers.save_speaker(
        event,
        SpeakerDetails("Dr Jane Doe", organisation_other="ECPAT  International"),
        actor=organiser,
    )
    assert typed.organisation_name == "ECPAT International"
    fbi = organisation("FBI", kind="law_enforcement")  # known to the app, not this event's
    db.session.add(fbi)
    db.session.flush()
    with pytest.raises(TimetableRefused, match="event's organisations"):
        rooms_tracks_speakers.save_speaker(
            event, SpeakerDetails("X", organisation_id=fbi.id), actor=organiser
        )


def test_a_speaker_is_linked_to_a_registered_delegates_account_by_email(event, organiser):
    registration = register(event, "anna.jansen@politie.example")
    speaker = rooms_tracks_speakers.save_speaker(
        event,
        SpeakerDetails("Anna Jansen", user_email=" Anna.Jansen@politie.example "),
        actor=organiser,
    )
    assert speaker.user_id == registration.user_id
    with pytest.raises(TimetableRefused, match="already linked to the speaker Anna Jansen"):
        rooms_tracks_speakers.save_speaker(
            event,
            SpeakerDetails("A. Jansen", user_email="anna.jansen@politie.example"),
            actor=organiser,
        )
    with pytest.raises(TimetableRefused, match="No delegate registered") as refused:
        rooms_tracks_speakers.save_speaker(
            event, SpeakerDetails("Nobody", user_email="nobody@example.org"), actor=organiser
        )
    assert refused.value.field == "user_email"


def test_a_cancelled_registration_does_not_link_an_account(event, organiser):
    registration = register(event, "gone@police.example")
    registration.status = Status.CANCELLED
    db.session.flush()
    with pytest.raises(TimetableRefused, match="No delegate registered"):
        rooms_tracks_speakers.save_speaker(
            event, SpeakerDetails("Gone", user_email="gone@police.example"), actor=organiser
        )


def test_a_speaker_on_the_programme_cannot_be_deleted(event, organiser, speakers):
    timetable.save_session(
        event, session_details(parts=(SessionSpeakerDetails(speakers[0].id),)), actor=organiser
    )
    with pytest.raises(
        TimetableRefused, match="Ruud Bik cannot be deleted: they take part in “Opening plenary”"
    ):
        rooms_tracks_speakers.delete_speaker(speakers[0], actor=organiser)
    rooms_tracks_speakers.delete_speaker(speakers[1], actor=organiser)
    assert db.session.scalars(sa.select(Speaker.name)).all() == ["Ruud Bik"]
    assert audit("speaker.deleted")[0].details == {"name": "Anna Jansen"}


# --- publishing --------------------------------------------------------------------------------


def test_publishing_twice_without_changes_publishes_once(event, organiser, rooms):
    timetable.save_session(event, session_details(room_id=rooms[0].id), actor=organiser)
    assert publishing.publish(event, actor=organiser).number == 1
    with pytest.raises(AlreadyDone, match="Nothing has changed since version 1"):
        publishing.publish(event, actor=organiser)
    timetable.save_session(
        event, session_details(title="Closing", day=date(2014, 11, 6)), actor=organiser
    )
    assert publishing.has_unpublished_changes(event)
    assert publishing.publish(event, actor=organiser).number == 2


# --- the grid ----------------------------------------------------------------------------------


def test_the_grid_has_rows_of_15_minutes_and_a_break_spans_every_room(event, organiser, rooms):
    timetable.save_session(event, session_details(room_id=rooms[0].id), actor=organiser)
    timetable.save_session(
        event,
        session_details(title="Coffee", kind="break", starts=time(10, 30), ends=time(11)),
        actor=organiser,
    )
    timetable.save_session(
        event,
        session_details(title="Workshop", starts=time(11), ends=time(12, 10), room_id=rooms[1].id),
        actor=organiser,
    )
    grid = grid_of_day(FIRST_DAY, rooms, timetable.sessions_of(event), event.timezone)
    assert [row.starts for row in grid.rows][:2] == [time(9, 0), time(9, 15)]
    assert grid.rows[-1].starts == time(12, 0)  # 09:00 to 12:15 (12:10 rounded up)
    plenary, empty = grid.rows[0].cells
    assert (plenary.session.title, plenary.rowspan, plenary.colspan) == ("Opening plenary", 6, 1)
    assert empty.session is None and empty.room is rooms[1] and empty.starts == time(9)
    assert grid.rows[1].cells == [grid.rows[1].cells[0]]  # Room B only: the plenary spans on
    (coffee,) = grid.rows[6].cells
    assert (coffee.session.title, coffee.rowspan, coffee.colspan) == ("Coffee", 2, 2)
    workshop = grid.rows[8].cells[1]
    assert (workshop.session.title, workshop.rowspan) == ("Workshop", 5)
    assert grid.unplaced == []


def test_a_session_crossing_a_break_for_everyone_is_listed_beside_the_grid(event, organiser, rooms):
    timetable.save_session(
        event,
        session_details(title="Lunch", kind="break", starts=time(12), ends=time(13)),
        actor=organiser,
    )
    timetable.save_session(
        event,
        session_details(
            title="Working lunch", starts=time(12, 30), ends=time(13, 30), room_id=rooms[1].id
        ),
        actor=organiser,
    )
    grid = grid_of_day(FIRST_DAY, rooms, timetable.sessions_of(event), event.timezone)
    assert [s.title for s in grid.unplaced] == ["Working lunch"]


def test_the_public_grid_is_the_editors_grid_of_the_published_sessions(event, organiser, rooms):
    """One layout: what the public sees after publishing is laid out as the organisers saw it."""
    timetable.save_session(event, session_details(room_id=rooms[0].id), actor=organiser)
    timetable.save_session(
        event,
        session_details(title="Lunch", kind="break", starts=time(12), ends=time(13)),
        actor=organiser,
    )
    for title, starts, ends in [
        ("Workshop", time(9, 30), time(11)),
        ("Working lunch", time(12, 30), time(14)),  # crosses the lunch for everyone
    ]:
        timetable.save_session(
            event,
            session_details(title=title, starts=starts, ends=ends, room_id=rooms[1].id),
            actor=organiser,
        )
    publishing.publish(event, actor=organiser)

    def layout(grid):
        cells = [
            [(c.session.id if c.session else None, c.rowspan, c.colspan) for c in row.cells]
            for row in grid.rows
        ]
        return [row.starts for row in grid.rows], cells, [s.id for s in grid.unplaced]

    draft = grid_of_day(FIRST_DAY, rooms, timetable.sessions_of(event), event.timezone)
    public = day_grid(publishing.published_programme(event), FIRST_DAY)
    assert [room.name for room in public.columns] == ["Auditorium", "Room B"]
    assert layout(public) == layout(draft)
    assert [s.title for s in public.unplaced] == ["Working lunch"]


def test_moving_a_workshop_onto_another_that_shares_delegates_warns(event, organiser, workshop):
    afternoon = timetable.save_session(
        event,
        session_details(title="Finding the child", kind="workshop", starts=time(14), ends=time(15)),
        actor=organiser,
    )
    add_signups(event, workshop, confirmed=2)
    both = db.session.scalars(
        sa.select(SessionSignup.registration_id).where(SessionSignup.session_id == workshop.id)
    ).first()
    db.session.add(SessionSignup(session_id=afternoon.id, registration_id=both, status="confirmed"))
    db.session.flush()

    moved = replace(timetable.details_of(workshop), starts=time(14), ends=time(15, 30))
    conflicts = timetable.conflicts_of(event, moved, workshop)
    assert [(c.field, c.refused) for c in conflicts] == [("starts", False)]
    assert conflicts[0].message.startswith(
        "1 delegate with a place here also has a place in “Finding the child” at that time"
    )
    with pytest.raises(SessionConflicts):
        timetable.save_session(event, moved, actor=organiser, session=workshop)
    timetable.save_session(event, moved, actor=organiser, session=workshop, accept_warnings=True)
