"""My agenda through the browser's forms, with CSRF protection on, and the calendar feeds."""

import re

import pytest
import sqlalchemy as sa
from icalendar import Calendar

from conference.extensions import db
from conference.models import SessionKind, SessionSignup
from conference.models import SignupStatus as Signup
from tests.conftest import AuthActions, csrf_token, make_user, register
from tests.workshop_helpers import approved, local, publish, session, workshop


@pytest.fixture
def app_settings():
    return {"WTF_CSRF_ENABLED": True}


@pytest.fixture
def programme(event):
    """Published: an opening plenary, a panel, and two workshops at the same time."""
    opening = session(
        event,
        "Opening",
        kind=SessionKind.PLENARY,
        starts=local(5, 9),
        ends=local(5, 10),
        room_name="Auditorium",
    )
    panel = session(
        event, "Industry panel", kind=SessionKind.PANEL, starts=local(5, 10), ends=local(5, 11)
    )
    finding = workshop(event, "Finding the child", capacity=2)
    streaming = workshop(event, "Live streaming", capacity=1, start=(14, 0), end=(15, 30))
    publish(event)
    db.session.commit()
    return {"opening": opening, "panel": panel, "finding": finding, "streaming": streaming}


@pytest.fixture
def anna(event):
    registration = approved(event, "anna@police.example")
    db.session.commit()
    return registration


def log_in(client, registration):
    AuthActions(client).login(registration.user.email)


def click(client, action: str, page: str = "/vgt-2014/agenda"):
    """Press the button of the form posting to `action`, with the token of the page it is on."""
    text = client.get(page).text
    assert f'action="{action}"' in text, f"no button posting to {action}"
    return client.post(action, data={"csrf_token": csrf_token(text)})


def signups() -> list[tuple[str, int, str]]:
    return db.session.execute(
        sa.select(SessionSignup.registration_id, SessionSignup.session_id, SessionSignup.status)
    ).all()


def feed_link(page: str) -> str:
    return re.search(r'id="agenda-feed-url" value="([^"]+)"', page).group(1)


# --- the page -------------------------------------------------------------------------------------


def test_the_agenda_shows_the_sessions_for_everyone_and_the_workshops_to_choose(
    client, programme, anna
):
    log_in(client, anna)
    page = client.get("/vgt-2014/agenda")

    assert page.status_code == 200
    assert "Wednesday 5 November" in page.text
    assert "Opening" in page.text and "09:00–10:00" in page.text
    assert "Industry panel" in page.text and "10:00–11:00" in page.text  # open to everyone
    assert "2 of 2 places left" in page.text
    assert f'action="/vgt-2014/agenda/workshops/{programme["finding"].id}"' in page.text
    assert 'href="/vgt-2014/agenda"' in page.text  # "My agenda" in the main navigation


def test_a_delegate_without_an_approved_registration_gets_an_explanation(client, event, programme):
    pending = register(event, "pending@police.example")
    make_user("nobody@police.example")
    db.session.commit()

    log_in(client, pending)
    page = client.get("/vgt-2014/agenda")
    assert page.status_code == 200
    assert "still looking at your registration" in page.text
    assert "Sign up</button>" not in page.text

    AuthActions(client).logout()
    AuthActions(client).login("nobody@police.example")
    page = client.get("/vgt-2014/agenda")
    assert page.status_code == 200
    assert "You have not registered for VGT 2014" in page.text


def test_before_publication_the_agenda_says_so(client, event, anna):
    log_in(client, anna)
    page = client.get("/vgt-2014/agenda")
    assert page.status_code == 200
    assert "The programme is not published yet" in page.text


# --- signing up and leaving -----------------------------------------------------------------------


def test_signing_up_through_the_form_takes_a_place(client, programme, anna):
    log_in(client, anna)
    finding = programme["finding"]
    action = f"/vgt-2014/agenda/workshops/{finding.id}"

    response = click(client, action)

    assert response.status_code == 302
    assert response.headers["Location"] == "/vgt-2014/agenda#workshops"
    assert signups() == [(anna.id, finding.id, Signup.CONFIRMED)]
    page = client.get("/vgt-2014/agenda").text
    assert "You have a place in “Finding the child”" in page
    assert "Your place" in page and "1 of 2 places left" not in page  # own place shown instead
    assert f'action="{action}/leave"' in page


def test_a_sign_up_without_the_forms_token_is_refused(client, programme, anna):
    log_in(client, anna)
    response = client.post(f"/vgt-2014/agenda/workshops/{programme['finding'].id}")
    assert response.status_code == 400
    assert signups() == []


def test_a_full_workshop_offers_its_waiting_list(client, event, programme, anna):
    ben = approved(event, "ben@police.example")
    db.session.commit()
    streaming = programme["streaming"]
    log_in(client, ben)
    click(client, f"/vgt-2014/agenda/workshops/{streaming.id}")
    AuthActions(client).logout()

    log_in(client, anna)
    page = client.get("/vgt-2014/agenda").text
    assert "Full: join the waiting list" in page
    response = click(client, f"/vgt-2014/agenda/workshops/{streaming.id}")

    assert response.status_code == 302
    assert (anna.id, streaming.id, Signup.WAITLISTED) in signups()
    assert "you are on its waiting list" in client.get("/vgt-2014/agenda").text


def test_a_workshop_at_the_same_time_is_refused_with_a_clear_message(client, programme, anna):
    log_in(client, anna)
    click(client, f"/vgt-2014/agenda/workshops/{programme['finding'].id}")
    page = client.get("/vgt-2014/agenda").text
    assert "At the same time as “Finding the child”" in page  # no button for the clash

    streaming = programme["streaming"]
    response = client.post(
        f"/vgt-2014/agenda/workshops/{streaming.id}", data={"csrf_token": csrf_token(page)}
    )

    assert response.status_code == 409
    assert "“Finding the child” is at the same time" in response.text
    assert len(signups()) == 1


def test_a_double_click_signs_up_once(client, programme, anna):
    log_in(client, anna)
    page = client.get("/vgt-2014/agenda").text
    action = f"/vgt-2014/agenda/workshops/{programme['finding'].id}"

    first = client.post(action, data={"csrf_token": csrf_token(page)})
    second = client.post(action, data={"csrf_token": csrf_token(page)})

    assert first.status_code == second.status_code == 302
    assert len(signups()) == 1
    assert "You already have a place in “Finding the child”" in client.get("/vgt-2014/agenda").text


def test_leaving_gives_the_place_to_the_first_waiting(client, event, programme, anna):
    ben = approved(event, "ben@police.example")
    db.session.commit()
    streaming = programme["streaming"]
    log_in(client, anna)
    click(client, f"/vgt-2014/agenda/workshops/{streaming.id}")
    AuthActions(client).logout()
    log_in(client, ben)
    click(client, f"/vgt-2014/agenda/workshops/{streaming.id}")
    AuthActions(client).logout()

    log_in(client, anna)
    response = click(client, f"/vgt-2014/agenda/workshops/{streaming.id}/leave")

    assert response.status_code == 302
    assert signups() == [(ben.id, streaming.id, Signup.CONFIRMED)]


def test_a_team_member_without_a_registration_cannot_sign_up(client, organiser, programme):
    AuthActions(client).login(organiser.email)
    page = client.get("/vgt-2014/agenda")
    assert page.status_code == 200
    response = client.post(
        f"/vgt-2014/agenda/workshops/{programme['finding'].id}",
        data={"csrf_token": csrf_token(page.text)},
    )
    assert response.status_code == 403
    assert "approved registration" in response.text
    assert signups() == []


# --- the calendar feeds ---------------------------------------------------------------------------


def test_the_personal_feed_link_works_without_logging_in(app, client, programme, anna):
    log_in(client, anna)
    click(client, f"/vgt-2014/agenda/workshops/{programme['finding'].id}")
    link = feed_link(client.get("/vgt-2014/agenda").text)
    assert link.startswith(f"http://localhost/vgt-2014/agenda/{anna.reference}/")

    response = app.test_client().get(link.removeprefix("http://localhost"))

    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    assert response.headers["Cache-Control"] == "no-store"
    titles = {str(e["SUMMARY"]) for e in Calendar.from_ical(response.data).walk("VEVENT")}
    assert titles == {"Opening", "Industry panel", "Finding the child"}


def test_a_new_link_makes_the_old_one_answer_404(app, client, programme, anna):
    log_in(client, anna)
    old = feed_link(client.get("/vgt-2014/agenda").text).removeprefix("http://localhost")

    response = click(client, "/vgt-2014/agenda/calendar-link")

    assert response.headers["Location"] == "/vgt-2014/agenda#calendar"
    page = client.get("/vgt-2014/agenda").text
    assert "The old one no longer works" in page
    new = feed_link(page).removeprefix("http://localhost")
    assert new != old
    stranger = app.test_client()
    assert stranger.get(old).status_code == 404
    assert stranger.get(new).status_code == 200


def test_a_made_up_feed_link_is_not_found(client, programme, anna):
    assert client.get(f"/vgt-2014/agenda/{anna.reference}/{'0' * 32}.ics").status_code == 404
    assert client.get(f"/vgt-2014/agenda/VGT14-NOPE00/{'0' * 32}.ics").status_code == 404


def test_the_whole_programme_feed_is_public_once_published(client, event):
    assert client.get("/vgt-2014/programme.ics").status_code == 404
    workshop(event, "Finding the child", capacity=2)
    publish(event)
    db.session.commit()

    response = client.get("/vgt-2014/programme.ics")

    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    assert b"TZID:Europe/Amsterdam" in response.data
    assert b"SUMMARY:Finding the child" in response.data


def test_messages_name_the_workshop_as_published_not_as_drafted(client, programme, anna):
    finding = programme["finding"]
    finding.title = "A draft title nobody outside the team may see yet"
    db.session.commit()
    log_in(client, anna)
    click(client, f"/vgt-2014/agenda/workshops/{finding.id}")
    page = client.get("/vgt-2014/agenda").text
    assert "You have a place in “Finding the child”" in page
    assert "A draft title" not in page
