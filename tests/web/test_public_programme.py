"""The public programme: the timetable, session and speaker pages, and what the public may see."""

import re
from datetime import timedelta

import pytest

from conference import create_app
from conference.extensions import db
from conference.models import ProgrammeSession, Speaker
from tests.environment import counting_queries, settings_for_tests
from tests.factories import amsterdam, build_programme, make_event
from tests.programme_data import publish

PROGRAMME = "/vgt-2014/programme"


def session_url(session_id: int) -> str:
    return f"{PROGRAMME}/sessions/{session_id}"


def speaker_url(speaker_id: int) -> str:
    return f"{PROGRAMME}/speakers/{speaker_id}"


def listed_under_the_grid(page: str) -> str:
    """The sessions listed under a day's grid, which cannot share its cells ("": none)."""
    found = re.search(r'<div class="timetable-unplaced" role="note">(.*?)</ul>', page, re.DOTALL)
    return found.group(1) if found else ""


@pytest.fixture
def rows(event):
    rows = build_programme(event)
    db.session.commit()
    return rows


@pytest.fixture
def published(event, organiser, rows):
    publish(event, organiser)
    return rows


def test_before_publishing_the_programme_page_says_so(client, event):
    page = client.get(PROGRAMME)
    assert page.status_code == 200
    assert "The programme is not published yet" in page.text
    for path in ["/vgt-2014/schedule.json", "/vgt-2014/schedule.xml", session_url(1)]:
        assert client.get(path).status_code == 404


def test_a_draft_programme_stays_invisible(client, rows):
    page = client.get(PROGRAMME)
    assert "The programme is not published yet" in page.text
    assert rows.sessions[0].title not in page.text
    assert client.get(session_url(rows.sessions[0].id)).status_code == 404
    assert client.get(speaker_url(rows.speakers[0].id)).status_code == 404


def test_the_published_programme_shows_each_day_as_a_grid_and_as_a_list(client, published):
    page = client.get(PROGRAMME).text
    assert "Wednesday 5 November 2014" in page and "Thursday 6 November 2014" in page
    assert 'href="#day-2014-11-05"' in page and 'id="day-2014-11-06"' in page
    # Wide screens: the grid; phones: the list. Each session in both, linking to its page.
    assert page.count('class="d-none d-lg-block table-responsive"') == 2
    assert page.count('class="d-lg-none programme-list"') == 2
    for session in published.sessions:
        assert page.count(f'href="{session_url(session.id)}"') == 2
    assert '<th scope="col">Main hall</th>' in page
    assert "09:00" in page and "Times in Europe/Amsterdam (CET)" in page
    assert "style=" not in page
    assert listed_under_the_grid(page) == ""  # every session has its place in the grid
    assert 'href="/vgt-2014/programme.ics"' in page


def test_a_session_of_an_hour_spans_four_quarter_hour_rows(client, event, organiser, rows):
    rows.sessions[0].ends_at = rows.sessions[0].starts_at + timedelta(hours=1)
    publish(event, organiser)
    page = client.get(PROGRAMME).text
    cell = re.search(r'<td class="session-cell[^"]*" rowspan="(\d+)"', page)
    assert cell and cell.group(1) == "4"


def test_a_session_without_a_room_spans_all_rooms(client, event, organiser, rows):
    lunch = ProgrammeSession(
        event_id=event.id,
        title="Lunch",
        kind="break",
        starts_at=amsterdam(0, 12),
        ends_at=amsterdam(0, 13),
    )
    db.session.add(lunch)
    db.session.commit()
    publish(event, organiser)
    page = client.get(PROGRAMME).text
    # Day one has sessions in two rooms (build_programme alternates the days).
    cell = re.search(r'<td class="session-cell kind-break" rowspan="4" colspan="(\d+)">', page)
    assert cell and cell.group(1) == "2"
    assert "Lunch" in page and "All rooms" in page


def test_a_break_in_no_room_has_a_plain_page(client, event, organiser, rows):
    coffee = ProgrammeSession(
        event_id=event.id,
        title="Coffee",
        kind="break",
        starts_at=amsterdam(1, 10, 30),
        ends_at=amsterdam(1, 10, 45),
    )
    db.session.add(coffee)
    db.session.commit()
    publish(event, organiser)
    page = client.get(session_url(coffee.id)).text
    assert "Break" in page and "10:30–10:45" in page and "All rooms" in page
    assert "Speaker" not in page and "Track" not in page and "places" not in page


def test_two_sessions_at_once_in_one_room_both_show(client, event, organiser, rows):
    first = rows.sessions[0]
    clash = ProgrammeSession(
        event_id=event.id,
        title="Clashing session",
        kind="panel",
        starts_at=first.starts_at,
        ends_at=first.ends_at,
        room_id=first.room_id,
    )
    db.session.add(clash)
    db.session.commit()
    publish(event, organiser)
    page = client.get(PROGRAMME).text
    # The first keeps the room's cells; the other is listed under the grid, as in the editor.
    grid = re.search(r"<table .*?</table>", page, re.DOTALL).group(0)  # the first day's
    assert f'href="{session_url(first.id)}"' in grid
    assert f'href="{session_url(clash.id)}"' not in grid
    beside = listed_under_the_grid(page)
    assert "Also on, at the same time" in beside
    assert f'href="{session_url(clash.id)}"' in beside and "Main hall" in beside
    assert page.count(f'href="{session_url(clash.id)}"') == 2  # and in the phone's list


def test_a_session_crossing_a_break_for_everyone_is_listed_under_the_grid(
    client, event, organiser, rows
):
    lunch = ProgrammeSession(
        event_id=event.id,
        title="Lunch",
        kind="break",
        starts_at=amsterdam(0, 12),
        ends_at=amsterdam(0, 13),
    )
    working_lunch = ProgrammeSession(
        event_id=event.id,
        title="Working lunch",
        kind="panel",
        starts_at=amsterdam(0, 12, 30),
        ends_at=amsterdam(0, 13, 30),
        room_id=rows.rooms[1].id,
    )
    db.session.add_all([lunch, working_lunch])
    db.session.commit()
    publish(event, organiser)
    page = client.get(PROGRAMME).text
    # The first to start keeps the cells: the break spans both rooms of the day.
    assert re.search(r'<td class="session-cell kind-break" rowspan="4" colspan="2">', page)
    beside = listed_under_the_grid(page)
    assert "Working lunch" in beside and "12:30–13:30 · Panel · Room Amsterdam" in beside
    assert f'href="{session_url(lunch.id)}"' not in beside
    assert page.count(f'href="{session_url(working_lunch.id)}"') == 2


def test_edits_after_publishing_stay_invisible_until_published_again(
    client, event, organiser, published
):
    session = published.sessions[0]
    old_title = session.title
    session.title = "A title still in draft"
    db.session.commit()
    page = client.get(PROGRAMME).text
    assert old_title in page and "A title still in draft" not in page
    assert old_title in client.get(session_url(session.id)).text

    publish(event, organiser)
    page = client.get(PROGRAMME).text
    assert "A title still in draft" in page and old_title not in page


def test_a_session_added_after_publishing_is_a_404_until_published(
    client, event, organiser, published
):
    added = ProgrammeSession(
        event_id=event.id,
        title="Added late",
        kind="panel",
        starts_at=amsterdam(1, 15),
        ends_at=amsterdam(1, 16),
    )
    db.session.add(added)
    db.session.commit()
    assert client.get(session_url(added.id)).status_code == 404
    publish(event, organiser)
    assert client.get(session_url(added.id)).status_code == 200


def test_the_track_filter_shows_only_that_tracks_sessions(client, published):
    track = published.tracks[0]
    page = client.get(f"{PROGRAMME}?track={track.id}").text
    assert f"Programme: {track.name}" in page
    for session in published.sessions:
        shown = f'href="{session_url(session.id)}"' in page
        assert shown == (session.track_id == track.id), session.title
    # Each track's link carries its colour; the chosen one is marked.
    assert f'class="track-filter badge tag-badge tag-{track.colour} track-filter-active"' in page
    assert 'aria-current="page">' + track.name in page


def test_a_tracks_grid_has_a_column_for_each_room_it_uses_that_day(client, published):
    track = published.tracks[0]
    page = client.get(f"{PROGRAMME}?track={track.id}").text
    rooms = {room.id: room.name for room in published.rooms}
    for day, table in enumerate(re.findall(r"<table .*?</table>", page, re.DOTALL)):
        used = {
            s.room_id
            for s in published.sessions
            if s.track_id == track.id and s.starts_at.date() == amsterdam(day, 9).date()
        }
        headers = re.findall(r'<th scope="col">([^<]*)</th>', table)
        assert headers == [rooms[r.id] for r in published.rooms if r.id in used], day


@pytest.mark.parametrize("value", ["999999", "abc", "-1", "%C2%B2", "9" * 5000])
def test_an_unknown_track_is_a_404(client, published, value):
    assert client.get(f"{PROGRAMME}?track={value}").status_code == 404


def test_the_session_page_tells_when_where_and_who(client, published):
    session = published.sessions[1]  # a panel on the second day, in the main hall
    speakers = {s.id: s for s in published.speakers}
    page = client.get(session_url(session.id)).text
    assert session.title in page
    assert "Panel" in page
    assert "Thursday 6 November 2014, 09:00–09:30" in page
    assert "Europe/Amsterdam time (CET)" in page
    assert "Main hall" in page and published.tracks[1].name in page
    assert "<p>What we learned.</p><p>What we do next.</p>" in page
    for part in db.session.get(ProgrammeSession, session.id).speakers:
        assert f'href="{speaker_url(part.speaker_id)}">{speakers[part.speaker_id].name}' in page
    assert "by sign-up" not in page


def test_speakers_and_chairs_are_shown_with_their_roles(client, published):
    panel = published.sessions[1]  # Speaker 01 chairs it, Speaker 05 speaks
    page = client.get(session_url(panel.id)).text
    assert re.search(r"Speaker 01</a>\s*<span[^>]*>Chair</span>", page)
    assert re.search(r"Speaker 05</a>\s*<span[^>]*>Speaker</span>", page)


def test_a_workshop_page_gives_its_places_and_the_way_to_sign_up(client, published):
    workshop = next(s for s in published.sessions if s.kind == "workshop")
    page = client.get(session_url(workshop.id)).text
    assert "20 places, by sign-up" in page
    assert (
        f'href="/account/login?next={session_url(workshop.id)}">Log in</a> to sign up here' in page
    )


def test_the_speaker_page_shows_who_they_are_and_their_sessions(client, published):
    speaker = published.speakers[4]
    page = client.get(speaker_url(speaker.id)).text
    assert speaker.name in page
    assert "Detective Inspector, Europol" in page
    assert speaker.bio in page
    session = published.sessions[4 % len(published.sessions)]
    assert f'href="{session_url(session.id)}">{session.title}</a>' in page


def test_a_speaker_in_no_session_has_no_public_page(client, event, organiser, rows):
    loner = Speaker(event_id=event.id, name="Not On The Programme")
    db.session.add(loner)
    db.session.commit()
    publish(event, organiser)
    assert client.get(speaker_url(loner.id)).status_code == 404
    assert "Not On The Programme" not in client.get(PROGRAMME).text


def test_unknown_sessions_speakers_and_events_are_404s(client, published):
    assert client.get(session_url(999999)).status_code == 404
    assert client.get(speaker_url(999999)).status_code == 404
    assert client.get("/no-such-event/programme").status_code == 404
    assert client.get("/no-such-event/schedule.json").status_code == 404


def test_another_events_session_is_not_found_under_this_event(client, event, organiser, published):
    other = make_event(slug="other-2015")
    build_programme(other, sessions=1, speakers=1)
    db.session.commit()
    publish(other, organiser)
    theirs = db.session.scalars(
        db.select(ProgrammeSession).where(ProgrammeSession.event_id == other.id)
    ).one()
    assert client.get(session_url(theirs.id)).status_code == 404
    assert client.get(f"/other-2015/programme/sessions/{theirs.id}").status_code == 200


def test_the_event_page_and_the_menu_link_to_the_programme(client, event):
    page = client.get("/vgt-2014/").text
    assert page.count('href="/vgt-2014/programme"') == 2  # the menu and the event page
    assert ">Programme</a></li>" in page


def test_the_programme_page_issues_the_same_few_queries_whatever_its_size(client, organiser):
    small = make_event(slug="small-2014")
    build_programme(small, sessions=4, speakers=6)
    big = make_event(slug="big-2014")
    build_programme(big, sessions=40, speakers=60)
    db.session.commit()
    publish(small, organiser)
    publish(big, organiser)

    counts = {}
    for slug in ["small-2014", "big-2014"]:
        with counting_queries() as first:  # the event, and its published version
            client.get(f"/{slug}/programme")
        with counting_queries() as statements:  # the event: the version is kept per process
            page = client.get(f"/{slug}/programme")
        assert page.status_code == 200
        counts[slug] = (len(first), len(statements))
    assert counts["small-2014"] == counts["big-2014"] == (2, 1)
    assert "Session 39" in page.text and "Speaker 59" in page.text


def test_the_page_kept_for_visitors_is_never_shown_to_someone_logged_in(
    client, auth, delegate, published
):
    assert "Log in" in client.get(PROGRAMME).text  # now kept for the next visitor
    auth.login()
    page = client.get(PROGRAMME).text
    assert "Dana Delegate" in page and "Log out" in page and ">Log in<" not in page
    auth.logout()
    page = client.get(PROGRAMME).text
    assert "Dana Delegate" not in page and "Log in" in page


def test_a_newer_version_shows_at_once_in_another_app_instance(
    app, client, event, organiser, published, test_database_url
):
    """Each instance keeps what it rendered, but asks the database for the newest version."""
    other_app = create_app(settings_for_tests(test_database_url))
    other = other_app.test_client()
    try:
        title = published.sessions[0].title
        assert title in other.get(PROGRAMME).text and title in client.get(PROGRAMME).text
        published.sessions[0].title = "Moved to the afternoon"
        db.session.commit()
        publish(event, organiser)
        assert "Moved to the afternoon" in other.get(PROGRAMME).text
        assert "Moved to the afternoon" in client.get(PROGRAMME).text
    finally:
        with other_app.app_context():
            db.engine.dispose()
