"""The Deliveries page, the dashboard's warning and a registration's emails, as the team meets
them, through the real forms with CSRF protection on."""

import re
from datetime import timedelta

import pytest

from conference.extensions import db
from conference.models import DeliveryState, OutboxEmail, utcnow
from tests.client import assert_redirects, csrf_token
from tests.delivery_helpers import queued
from tests.environment import audited
from tests.factories import make_event, make_organiser, make_user, register

State = DeliveryState
LIST = "/vgt-2014/organiser/deliveries"


@pytest.fixture
def app_settings() -> dict:
    return {"WTF_CSRF_ENABLED": True}


@pytest.fixture
def emails(event):
    """Anna's approval never reached her; Kim's did; Lee's waits for the worker."""
    anna = make_user("anna@garda.example", name="Anna Byrne")
    start = utcnow() - timedelta(hours=3)
    made = {
        "kim": queued(event, "kim@police.example", state=State.SENT, at=start),
        "lee": queued(
            event,
            "lee@police.example",
            kind="reminder",
            subject="VGT 2014 starts in a week",
            at=start + timedelta(hours=1),
        ),
        "anna": queued(
            event, anna.email, user=anna, state=State.FAILED, at=start + timedelta(hours=2)
        ),
    }
    db.session.commit()
    return made


def rows(page: str) -> list[str]:
    """The recipients of the list's rows, top to bottom."""
    return re.findall(r'<tr id="email-\d+" class="delivery delivery-(\w+)">', page)


def send_again(client, email, page_text=None):
    token = csrf_token(page_text or client.get(LIST).text)
    return client.post(f"{LIST}/{email.id}/send-again", data={"csrf_token": token})


def test_the_list_shows_each_email_with_its_delivery_and_the_servers_answer(
    client, auth, organiser, emails
):
    auth.login(organiser.email)
    page = client.get(LIST).text
    assert rows(page) == ["failed", "waiting", "sent"]  # newest first
    assert "Anna Byrne" in page and "anna@garda.example" in page  # a name when an account
    assert "VGT 2014 starts in a week" in page and ">Reminder<" in page  # its kind's title
    assert "The mail server said:" in page and "5.1.1 Mailbox unavailable" in page
    assert page.count(">Send again</button>") == 1  # only the failed one
    assert "1 email could not be delivered" in page


def test_the_failed_tab_comes_first_with_its_count(client, auth, organiser, emails):
    auth.login(organiser.email)
    page = client.get(LIST).text
    tabs = re.findall(
        r'href="[^"]*deliveries(?:\?state=(\w+))?[^"]*">(\w+) <span class="badge [^"]+">(\d+)', page
    )
    assert [(label, int(count)) for _, label, count in tabs] == [
        ("Failed", 1),
        ("All", 3),
        ("Waiting", 1),
        ("Sending", 0),
        ("Sent", 1),
    ]


def test_without_failures_the_failed_tab_comes_last(client, auth, organiser, event):
    queued(event, "kim@police.example", state=State.SENT)
    db.session.commit()
    auth.login(organiser.email)
    page = client.get(LIST).text
    labels = re.findall(r'class="nav-link[^"]*"[^>]*>(\w+) <span', page)
    assert labels == ["All", "Waiting", "Sending", "Sent", "Failed"]
    assert "could not be delivered" not in page and "Send all failed again" not in page


def test_the_list_filters_by_state_and_searches_by_recipient(client, auth, organiser, emails):
    auth.login(organiser.email)
    assert rows(client.get(LIST + "?state=failed").text) == ["failed"]
    assert rows(client.get(LIST + "?state=sent").text) == ["sent"]
    assert rows(client.get(LIST + "?state=sending").text) == []
    assert rows(client.get(LIST + "?q=byrne").text) == ["failed"]  # by the account's name
    assert rows(client.get(LIST + "?q=police.example").text) == ["waiting", "sent"]
    assert rows(client.get(LIST + "?q=police.example&state=sent").text) == ["sent"]
    assert "No emails match." in client.get(LIST + "?q=nobody").text


def test_odd_filters_are_a_clear_400_not_a_crash(client, auth, organiser, emails):
    auth.login(organiser.email)
    response = client.get(LIST + "?state=bounced")
    assert response.status_code == 400 and "Not a valid choice" in response.text
    assert client.get(LIST + "?q=" + "x" * 201).status_code == 400
    assert client.get(LIST + "?page=0").status_code == 400


def test_the_list_is_paged(client, auth, organiser, event):
    start = utcnow() - timedelta(days=1)
    for n in range(53):
        queued(event, f"delegate{n:02d}@police.example", at=start + timedelta(minutes=n))
    db.session.commit()
    auth.login(organiser.email)
    first = client.get(LIST).text
    assert len(rows(first)) == 50 and "delegate52@" in first and "Showing 1–50 of 53" in first
    second = client.get(LIST + "?page=2").text
    assert len(rows(second)) == 3 and "delegate00@" in second


def test_an_organiser_sends_a_failed_email_again(client, auth, organiser, emails):
    auth.login(organiser.email)
    response = send_again(client, emails["anna"])
    assert_redirects(response, to=LIST)
    page = client.get(LIST).text
    assert "The email to anna@garda.example will be sent again in a moment." in page
    assert rows(page) == ["waiting", "waiting", "sent"]
    assert "Tried 0 times, will try again." in page  # the last answer stays until the next try
    assert len(audited("email.sent_again")) == 1


def test_sending_again_needs_the_forms_token(client, auth, organiser, emails):
    auth.login(organiser.email)
    response = client.post(f"{LIST}/{emails['anna'].id}/send-again")
    assert response.status_code == 400
    assert db.session.get(OutboxEmail, emails["anna"].id).state == State.FAILED


def test_a_replayed_send_again_does_nothing_twice(client, auth, organiser, emails):
    auth.login(organiser.email)
    page = client.get(LIST).text
    assert_redirects(send_again(client, emails["anna"], page), to=LIST)
    again = send_again(client, emails["anna"], page)  # the same form, sent once more
    assert_redirects(again, to=LIST)
    shown = client.get(LIST).text
    assert "is waiting already: it is on its way, nothing to send again." in shown
    assert len(audited("email.sent_again")) == 1


def test_an_email_that_was_not_failed_is_refused_with_a_message(client, auth, organiser, emails):
    auth.login(organiser.email)
    page = client.get(LIST).text
    assert_redirects(send_again(client, emails["kim"], page), to=LIST)
    shown = client.get(LIST).text
    assert (
        "The email to kim@police.example was delivered meanwhile: nothing to send again." in shown
    )
    assert audited("email.sent_again") == []


def test_send_all_failed_again(client, auth, organiser, event, emails):
    queued(event, "aoife@garda.example", state=State.FAILED)
    db.session.commit()
    auth.login(organiser.email)
    page = client.get(LIST + "?state=failed").text
    assert "2 emails could not be delivered" in page
    token = csrf_token(page)
    response = client.post(f"{LIST}/send-again", data={"csrf_token": token, "q": ""})
    assert_redirects(response, to=LIST)
    assert "2 emails will be sent again in a moment." in client.get(LIST).text
    [entry] = audited("email.sent_all_again")
    assert entry.details["emails"] == 2
    replay = client.post(f"{LIST}/send-again", data={"csrf_token": token, "q": ""})
    assert_redirects(replay, to=LIST)
    assert "No email has failed" in client.get(LIST).text
    assert len(audited("email.sent_all_again")) == 1


def test_a_viewer_sees_the_list_but_cannot_send_again(client, auth, event, emails):
    viewer = make_organiser(event, "viewer@politie.example", role="viewer")
    db.session.commit()
    auth.login(viewer.email)
    page = client.get(LIST).text
    assert rows(page) == ["failed", "waiting", "sent"] and ">Send again<" not in page
    assert "Send all failed again" not in page
    assert send_again(client, emails["anna"], page).status_code == 403
    response = client.post(f"{LIST}/send-again", data={"csrf_token": csrf_token(page)})
    assert response.status_code == 403
    assert db.session.get(OutboxEmail, emails["anna"].id).state == State.FAILED


def test_a_moderator_sends_again(client, auth, event, emails):
    moderator = make_organiser(event, "moderator@politie.example", role="moderator")
    db.session.commit()
    auth.login(moderator.email)
    assert_redirects(send_again(client, emails["anna"]), to=LIST)
    assert db.session.get(OutboxEmail, emails["anna"].id).state == State.WAITING


def test_another_events_email_is_not_found(client, auth, organiser, emails):
    other = make_event(slug="icac-2015")
    theirs = queued(other, "theirs@police.example", state=State.FAILED)
    db.session.commit()
    auth.login(organiser.email)
    assert "theirs@police.example" not in client.get(LIST).text
    assert send_again(client, theirs).status_code == 404
    assert db.session.get(OutboxEmail, theirs.id).state == State.FAILED


def test_the_dashboard_warns_when_emails_could_not_be_delivered(client, auth, organiser, event):
    auth.login(organiser.email)
    assert "could not be delivered" not in client.get("/vgt-2014/organiser/").text
    for address in ("anna@garda.example", "kim@police.example", "lee@police.example"):
        queued(event, address, state=State.FAILED)
    queued(make_event(slug="icac-2015"), "other@police.example", state=State.FAILED)
    db.session.commit()
    page = client.get("/vgt-2014/organiser/").text
    assert "3 emails could not be delivered" in page
    assert f'href="{LIST}?state=failed">Deliveries</a>' in page


def test_the_registration_page_lists_the_emails_sent_to_the_delegate(
    client, auth, organiser, event
):
    registration = register(event, "anna@garda.example")
    user = registration.user
    queued(
        event,
        user.email,
        registration=registration,
        state=State.SENT,
        subject="VGT 2014: we have your registration",
    )
    queued(event, user.email, user=user, state=State.FAILED, subject="VGT 2014: approved")
    queued(
        event,
        user.email,
        user=user,
        kind="reset_password",
        subject="Choose a new password",
        body="Choose it here: http://localhost/account/reset/SECRET-RESET-TOKEN",
    )
    queued(event, "someone@else.example", subject="Not hers")
    db.session.commit()
    auth.login(organiser.email)
    page = client.get(f"/vgt-2014/organiser/registrations/{registration.reference}").text
    card = page.split('id="emails-heading"')[1].split("</section>")[0]
    for subject in (
        "VGT 2014: we have your registration",
        "VGT 2014: approved",
        "Choose a new password",
    ):
        assert subject in card
    assert "Not hers" not in card
    assert "SECRET-RESET-TOKEN" not in page and "Choose it here" not in page  # no bodies
    assert "5.1.1 Mailbox unavailable" in card  # the server's answer to the failed one
    assert f'href="{LIST}?q=anna@garda.example"' in card
    assert rows(client.get(f"{LIST}?q=anna%40garda.example").text).count("failed") == 1
