"""My agenda through the browser's forms, with CSRF protection on, and the calendar feeds."""

import re

import pytest
import sqlalchemy as sa
from icalendar import Calendar

from conference.extensions import db
from conference.models import SessionKind, SessionSignup
from conference.models import SignupStatus as Signup
from tests.client import AuthActions, assert_redirects, csrf_token
from tests.factories import PASSWORD, approved, local, make_user, register, session, workshop
from tests.workshop_helpers import publish


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

    assert_redirects(response, to="/vgt-2014/agenda#workshops")
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

    assert_redirects(response, to="/vgt-2014/agenda#workshops")
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

    assert_redirects(first, to="/vgt-2014/agenda#workshops")
    assert_redirects(second, to="/vgt-2014/agenda#workshops")
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

    assert_redirects(response, to="/vgt-2014/agenda#workshops")
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

    assert_redirects(response, to="/vgt-2014/agenda#calendar")
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
    # A link with letters no token has (compare_digest refuses them as text) is just as unknown.
    assert client.get(f"/vgt-2014/agenda/{anna.reference}/%E2%80%AEevil.ics").status_code == 404


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


# --- on the workshop's own page -------------------------------------------------------------------


def session_page(session) -> str:
    return f"/vgt-2014/programme/sessions/{session.id}"


def press(client, page: str, action: str):
    """Press the button of the form posting to `action` on `page`, sending what the form holds."""
    text = client.get(page).text
    form = re.search(rf'<form method="post" action="{re.escape(action)}">(.*?)</form>', text, re.S)
    assert form, f"no button posting to {action} on {page}"
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form[1]))
    return client.post(action, data=fields)


def test_an_approved_delegate_signs_up_on_the_workshops_own_page(client, programme, anna):
    log_in(client, anna)
    finding = programme["finding"]
    page = client.get(session_page(finding)).text
    assert "2 of 2 places left" in page

    response = press(client, session_page(finding), f"/vgt-2014/agenda/workshops/{finding.id}")

    assert response.headers["Location"] == session_page(finding)
    assert signups() == [(anna.id, finding.id, Signup.CONFIRMED)]
    page = client.get(session_page(finding)).text
    assert "You have a place in “Finding the child”" in page
    assert "Your place" in page
    assert f'action="/vgt-2014/agenda/workshops/{finding.id}/leave"' in page
    assert f'href="/vgt-2014/agenda#workshop-{finding.id}"' in page
    assert f'id="workshop-{finding.id}"' in client.get("/vgt-2014/agenda").text

    response = press(
        client, session_page(finding), f"/vgt-2014/agenda/workshops/{finding.id}/leave"
    )

    assert response.headers["Location"] == session_page(finding)
    assert signups() == []
    assert "You are no longer signed up" in client.get(session_page(finding)).text


def test_a_full_workshops_page_offers_its_waiting_list_and_shows_ones_turn(
    client, event, programme, anna
):
    ben = approved(event, "ben@police.example")
    db.session.commit()
    streaming = programme["streaming"]
    log_in(client, ben)
    press(client, session_page(streaming), f"/vgt-2014/agenda/workshops/{streaming.id}")
    AuthActions(client).logout()

    log_in(client, anna)
    page = client.get(session_page(streaming)).text
    assert "Full: join the waiting list" in page
    press(client, session_page(streaming), f"/vgt-2014/agenda/workshops/{streaming.id}")

    assert (anna.id, streaming.id, Signup.WAITLISTED) in signups()
    page = client.get(session_page(streaming)).text
    assert "you are on its waiting list" in page
    assert "Leave the waiting list" in page


def test_a_workshops_page_says_when_one_has_a_place_at_the_same_time(client, programme, anna):
    log_in(client, anna)
    finding, streaming = programme["finding"], programme["streaming"]
    press(client, session_page(finding), f"/vgt-2014/agenda/workshops/{finding.id}")

    page = client.get(session_page(streaming)).text

    assert "At the same time as “Finding the child”, where you have a place" in page
    assert f'action="/vgt-2014/agenda/workshops/{streaming.id}"' not in page
    # Posted all the same (an old tab): refused on the workshop's page, nothing written.
    response = client.post(
        f"/vgt-2014/agenda/workshops/{streaming.id}",
        data={"csrf_token": csrf_token(page), "back": "session"},
    )
    assert response.status_code == 409
    assert '<h1 class="h2">Live streaming</h1>' in response.text
    assert "“Finding the child” is at the same time" in response.text
    assert signups() == [(anna.id, finding.id, Signup.CONFIRMED)]


def test_a_button_pressed_elsewhere_than_the_agenda_or_the_session_page_is_refused(
    client, programme, anna
):
    log_in(client, anna)
    finding = programme["finding"]
    page = client.get(session_page(finding)).text
    response = client.post(
        f"/vgt-2014/agenda/workshops/{finding.id}",
        data={"csrf_token": csrf_token(page), "back": "https://elsewhere.example/"},
    )
    assert response.status_code == 400
    assert signups() == []


def test_everyone_else_is_told_on_a_workshops_page_how_to_get_a_place(client, event, programme):
    finding = programme["finding"]
    sign_up = f'action="/vgt-2014/agenda/workshops/{finding.id}"'

    page = client.get(session_page(finding)).text  # a visitor, not logged in
    assert "2 places, by sign-up" in page
    assert f'href="/account/login?next={session_page(finding)}">Log in</a>' in page
    assert 'href="/vgt-2014/register">register to attend</a>' in page
    assert sign_up not in page

    pending = register(event, "pending@police.example")
    make_user("nobody@police.example")
    db.session.commit()
    log_in(client, pending)
    page = client.get(session_page(finding)).text
    assert "Once your registration is approved, you can sign up here" in page
    assert sign_up not in page

    AuthActions(client).logout()
    AuthActions(client).login("nobody@police.example")
    page = client.get(session_page(finding)).text
    assert 'href="/vgt-2014/register">Register to attend</a>' in page
    assert sign_up not in page


def test_logging_in_from_a_workshops_page_leads_back_to_it(client, programme, anna):
    finding = programme["finding"]
    page = client.get(session_page(finding)).text
    login = re.search(r'href="(/account/login\?next=[^"]+)">Log in</a>', page)[1]

    response = client.post(
        login,
        data={
            "email": anna.user.email,
            "password": PASSWORD,
            "csrf_token": csrf_token(client.get(login).text),
        },
    )

    assert response.headers["Location"] == session_page(finding)
    assert (
        f'action="/vgt-2014/agenda/workshops/{finding.id}"'
        in client.get(session_page(finding)).text
    )


def test_a_session_open_to_everyone_has_no_sign_up_on_its_page(client, programme, anna):
    log_in(client, anna)
    page = client.get(session_page(programme["panel"])).text
    assert "by sign-up" not in page and "/agenda/workshops/" not in page


def test_no_delegates_state_reaches_another_visitor_through_the_kept_pages(
    app, client, event, programme, anna
):
    ben = approved(event, "ben@police.example")
    db.session.commit()
    finding = programme["finding"]
    stranger = app.test_client()
    # A visitor first: the programme page is kept for the next one.
    assert "Finding the child" in stranger.get("/vgt-2014/programme").text
    log_in(client, anna)
    press(client, session_page(finding), f"/vgt-2014/agenda/workshops/{finding.id}")
    assert "Your place" in client.get(session_page(finding)).text
    assert "Finding the child" in client.get("/vgt-2014/programme").text

    for page in (
        stranger.get(session_page(finding)).text,
        stranger.get("/vgt-2014/programme").text,
    ):
        assert "Your place" not in page and "/leave" not in page
        assert "anna" not in page and "1 of 2 places left" not in page
    other = app.test_client()
    log_in(other, ben)
    page = other.get(session_page(finding)).text
    assert "1 of 2 places left" in page and "Your place" not in page
    assert f'action="/vgt-2014/agenda/workshops/{finding.id}"' in page
    assert "/leave" not in page


def test_each_sign_up_button_names_its_workshop(client, event, programme, anna):
    log_in(client, anna)
    page = client.get("/vgt-2014/agenda").text

    names = [
        re.sub(r"<[^>]+>", "", button)
        for button in re.findall(
            r'<button type="submit" class="btn btn-brand btn-sm">(.*?)</button>', page, re.S
        )
    ]

    assert names == ["Sign up for “Finding the child”", "Sign up for “Live streaming”"]
    assert '<span class="visually-hidden"> for “Finding the child”</span>' in page
    assert "one workshop per time slot" in page and "at a time" not in page
