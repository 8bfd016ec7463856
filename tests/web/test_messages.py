"""The organisers' messages and reminders through their forms, CSRF protection on: the group
and its count, a test to oneself, the send, each delivery's state, and reminders."""

import html
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from conference.extensions import db
from conference.local_time import format_local_time
from conference.models import Message, MessageState, OutboxEmail, utcnow
from conference.services.mail import messages, outbox, reminders, worker
from conference.services.mail.outbox import transport_from_config
from conference.services.registration.listing import RegistrationFilter
from tests.client import assert_redirects
from tests.environment import row_count
from tests.factories import make_event, make_organiser, register
from tests.message_helpers import copies_of, delegates, emails_of

BASE = "/vgt-2014/organiser"
NEW = f"{BASE}/messages/new"


@pytest.fixture
def app_settings():
    return {"WTF_CSRF_ENABLED": True}


@pytest.fixture
def people(event, organiser):
    made = delegates(event, organiser)
    db.session.commit()
    return made


def hidden_fields(page: str) -> dict[str, str]:
    """The hidden inputs of the page's form (its CSRF token, batch, count and carried filters)."""
    fields = {}
    for tag in re.findall(r"<input[^>]*type=\"hidden\"[^>]*>", page):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name:
            fields[name.group(1)] = html.unescape(value.group(1)) if value else ""
    return fields


def compose(client, query: str = "", **fields) -> tuple[str, dict]:
    """The composer as opened with `query`, and the form it would post."""
    page = client.get(NEW + query).text
    form = {"status": "approved", **hidden_fields(page)}
    form |= {"subject": "{event_short}: hotel", "body": "Dear {name},\n\nBook by Friday."}
    return page, form | fields


def text_of(page: str) -> str:
    """The page's words as a person reads them, one space apart."""
    words = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())
    return re.sub(r" ([.,:])", r"\1", words)


def test_the_list_links_to_a_message_to_the_group_it_shows(client, auth, event, organiser, people):
    auth.login(organiser.email)
    page = client.get(f"{BASE}/registrations?status=approved&workshop_chosen=no").text
    link = re.search(r'href="([^"]+)" class="write-message">([^<]+)<', page)
    assert html.unescape(link.group(1)) == NEW + "?status=approved&workshop_chosen=no"
    assert link.group(2) == "Write a message to these 2"
    composer = text_of(client.get(html.unescape(link.group(1))).text)
    assert "This message will reach 2 delegates: Anna Peeters, Dirk Janssens." in composer
    assert "Approved · Without a workshop" in composer
    assert "Send to 2 delegates" in composer


def test_the_registration_list_filters_by_workshop_and_check_in(client, auth, organiser, people):
    auth.login(organiser.email)
    for query, names in (
        (f"workshop={people.live_streaming.id}", ["Bram de Vries"]),
        ("checked_in=no&status=approved", ["Anna Peeters", "Dirk Janssens"]),
        ("workshop_chosen=yes", ["Bram de Vries"]),
    ):
        page = client.get(f"{BASE}/registrations?{query}").text
        shown = re.findall(r'aria-label="Tick ([A-Z][^"]+)"', page)
        assert sorted(shown) == names, query
    assert client.get(f"{BASE}/registrations?workshop=999999").status_code == 400


def test_the_composer_starts_with_the_approved_delegates_and_lists_the_placeholders(
    client, auth, organiser, people
):
    auth.login(organiser.email)
    page = text_of(client.get(NEW).text)
    assert "This message will reach 3 delegates: Anna Peeters, Bram de Vries, Dirk Janssens" in page
    assert "{registration_link} The link to the delegate's registration page" in page


def test_counting_again_shows_the_new_groups_count_and_sends_nothing(
    client, auth, organiser, people
):
    auth.login(organiser.email)
    _, form = compose(client, action="count", country="NL")
    page = client.post(NEW, data=form)
    assert page.status_code == 200
    assert "This message will reach 1 delegate: Bram de Vries." in text_of(page.text)
    assert hidden_fields(page.text)["expected"] == "1"  # sending now means sending to him
    assert emails_of("message") == [] and row_count(Message) == 0


def test_a_test_goes_only_to_the_organiser(client, auth, organiser, people):
    auth.login(organiser.email)
    _, form = compose(client, action="test")
    page = client.post(NEW, data=form)
    assert page.status_code == 200
    assert f"A test is on its way to you at {organiser.email}" in page.text
    [test] = emails_of("message_test")
    assert test.recipient == organiser.email and test.subject == "[Test] VGT 2014: hotel"
    assert "Dear Anna Peeters," in test.body_text
    assert emails_of("message") == [] and row_count(Message) == 0
    assert "Book by Friday." in page.text  # the words are still there, to send


def test_sending_queues_a_copy_for_each_and_opens_the_delivery_list(
    client, auth, organiser, people
):
    auth.login(organiser.email)
    _, form = compose(client, action="send")
    assert form["expected"] == "3"
    response = client.post(NEW, data=form)
    message = db.session.scalars(sa.select(Message)).one()
    assert_redirects(response, to=f"{BASE}/messages/{message.id}")
    assert message.state == MessageState.SENT and message.recipient_count == 3
    assert sorted(c.recipient for c in copies_of(message)) == [
        "anna@police.example",
        "bram@europol.example",
        "dirk@police.example",
    ]
    page = text_of(client.get(response.headers["Location"]).text)
    assert "Sent to 3 delegates" in page
    assert page.count("Waiting") == 3


def test_a_replayed_send_creates_one_message(client, auth, organiser, people):
    auth.login(organiser.email)
    _, form = compose(client, action="send")
    client.post(NEW, data=form)
    replay = client.post(NEW, data=form)
    assert replay.status_code == 200  # news, not an error
    assert "That message was sent already; nobody got it twice." in replay.text
    assert row_count(Message) == 1 and len(emails_of("message")) == 3


def test_a_group_that_changed_since_the_count_is_not_sent(client, auth, organiser, people):
    auth.login(organiser.email)
    _, form = compose(client, action="send")
    people.carla.status = "approved"  # approved by someone else meanwhile
    db.session.commit()
    response = client.post(NEW, data=form)
    assert response.status_code == 409
    page = text_of(response.text)
    assert "The group changed since it was counted: it now reaches 4 delegates, not 3" in page
    assert "Send to 4 delegates" in page  # the page counted again
    assert "Book by Friday." in page
    assert row_count(Message) == 0 and emails_of("message") == []


def test_an_unknown_placeholder_is_refused_and_the_words_are_kept(client, auth, organiser, people):
    auth.login(organiser.email)
    _, form = compose(client, action="send", body="Your hotel is {hotel}. Kind regards")
    response = client.post(NEW, data=form)
    assert response.status_code == 400
    assert "There is no placeholder {hotel} in this email." in html.unescape(response.text)
    assert "Your hotel is {hotel}. Kind regards" in html.unescape(response.text)
    assert row_count(Message) == 0 and emails_of("message") == []


def test_the_audit_log_says_a_message_was_sent_once_with_its_count(client, auth, organiser, people):
    message = sent_message(client, auth, organiser)
    rows = [
        text_of(row)
        for row in re.findall(r"<tr.*?</tr>", client.get(f"{BASE}/audit-log").text, re.S)
        if "Message: sent" in row
    ]
    assert len(rows) == 1  # one entry for the message, none per recipient
    assert f"Message “{message.subject}”" in rows[0] and "Recipients 3" in rows[0]


def test_a_post_without_its_csrf_token_is_refused(client, auth, organiser, people):
    auth.login(organiser.email)
    _, form = compose(client, action="send")
    del form["csrf_token"]
    assert client.post(NEW, data=form).status_code == 400
    assert row_count(Message) == 0


def sent_message(client, auth, organiser) -> Message:
    auth.login(organiser.email)
    _, form = compose(client, action="send")
    client.post(NEW, data=form)
    return db.session.scalars(sa.select(Message)).one()


def test_the_message_pages_show_each_deliverys_state_and_the_servers_answer(
    app, client, auth, organiser, people
):
    message = sent_message(client, auth, organiser)
    sent, failed, waiting = copies_of(message)
    outbox.mark_sent(sent.id)
    failed.attempts, failed.gave_up_at = 5, utcnow()
    failed.last_error = "SMTPRecipientsRefused: 550 5.1.1 mailbox unavailable"
    db.session.commit()
    listing = text_of(client.get(f"{BASE}/messages").text)
    assert "VGT 2014: hotel" in listing and "Olga Organiser" in listing
    assert "1 sent 1 waiting 1 failed" in listing
    page = client.get(f"{BASE}/messages/{message.id}").text
    rows = {
        name: text_of(row)
        for row in re.findall(r"<tr>.*?</tr>", page, re.S)
        for name in ("Anna Peeters", "Bram de Vries", "Dirk Janssens")
        if name in row
    }
    assert "Sent" in rows["Anna Peeters"]
    assert "Failed The mail server said: SMTPRecipientsRefused: 550 5.1.1" in rows["Bram de Vries"]
    assert "Waiting" in rows["Dirk Janssens"]


def test_a_messages_recipients_are_listed_a_hundred_to_a_page(client, auth, organiser, people):
    message = sent_message(client, auth, organiser)
    for n in range(247):
        db.session.add(
            OutboxEmail(
                recipient=f"delegate{n}@police.example",
                subject=message.subject,
                body_text="",
                body_html="",
                kind="message",
                message_id=message.id,
            )
        )
    db.session.commit()
    last = text_of(client.get(f"{BASE}/messages/{message.id}?page=3").text)
    assert "Showing 201–250 of 250." in last
    assert last.count("@police.example") >= 50


def test_a_viewer_reads_the_messages_but_cannot_write_one(client, auth, event, organiser, people):
    message = sent_message(client, auth, organiser)
    make_organiser(event, "viewer@politie.example", role="viewer")
    db.session.commit()
    auth.logout()
    auth.login("viewer@politie.example")
    listing = client.get(f"{BASE}/messages").text
    assert "VGT 2014: hotel" in listing and "Write a message" not in listing
    assert client.get(f"{BASE}/messages/{message.id}").status_code == 200
    assert client.get(NEW).status_code == 403


def test_another_events_message_is_not_found(client, auth, organiser, people):
    other = make_event(slug="vgt-2015")
    register(other, "someone@police.example")
    elsewhere = messages.send_message(
        other,
        subject="Elsewhere",
        body="Hi",
        filters=RegistrationFilter(),
        expected=1,
        batch="e" * 32,
        actor=organiser,
    )
    db.session.commit()
    auth.login(organiser.email)
    assert client.get(f"{BASE}/messages/{elsewhere.id}").status_code == 404
    assert "Elsewhere" not in client.get(f"{BASE}/messages").text


def test_each_delegate_receives_their_own_copy_over_smtp(
    app, client, auth, organiser, people, mail_server
):
    sent_message(client, auth, organiser)
    transport = transport_from_config({**app.config, **mail_server.settings()})
    try:
        worker.run_once(transport)
    finally:
        transport.close()
    db.session.commit()
    for registration in (people.anna, people.bram, people.dirk):
        [received] = [
            mail
            for mail in mail_server.messages_to(registration.user.email)
            if mail["Subject"] == "VGT 2014: hotel"
        ]
        text = received.get_body(("plain",)).get_content()
        assert text.startswith(f"Dear {registration.user.name},")
        assert received["Subject"] == "VGT 2014: hotel"
    hotel = [m for m in mail_server.received if "VGT 2014: hotel" in m.data]
    assert sorted(m.recipients[0] for m in hotel) == sorted(
        r.user.email for r in (people.anna, people.bram, people.dirk)
    )


# --- reminders ---------------------------------------------------------------------------------

REMINDERS = f"{BASE}/reminders"


@pytest.fixture
def soon(upcoming_event, organiser):
    made = delegates(upcoming_event, organiser)
    db.session.commit()
    return made


def reminder_form(client, url=f"{REMINDERS}/new", **fields) -> dict:
    page = client.get(url).text
    form = hidden_fields(page)
    form |= {
        "status": "approved",
        "workshop_chosen": "no",
        "timing": "before",
        "days_before": "7",
        "at": "09:00",
        "subject": "{event_short}: choose a workshop",
        "body": "Dear {name}, the workshops fill up.",
        "action": "save",
    }
    return form | fields


def test_scheduling_a_reminder_shows_when_it_is_due_and_whom_it_reaches(
    client, auth, upcoming_event, organiser, soon
):
    auth.login(organiser.email)
    opened = client.get(f"{REMINDERS}/new").text
    subject, _ = reminders.default_words(upcoming_event)
    assert html.escape(subject, quote=False) in opened  # the event's reminder words
    response = client.post(f"{REMINDERS}/new", data=reminder_form(client))
    assert_redirects(response, to=REMINDERS)
    reminder = db.session.scalars(sa.select(Message)).one()
    assert reminder.is_reminder and reminder.days_before == 7
    page = text_of(client.get(REMINDERS).text)
    due = format_local_time(reminder.send_at, upcoming_event.timezone)
    assert due.endswith(("09:00 CET", "09:00 CEST")) and due in page
    assert "7 days before the event, in " in page
    assert "Approved · Without a workshop" in page
    assert "VGT 2014: choose a workshop" in page and " 2 now " in page
    detail = text_of(client.get(f"{BASE}/messages/{reminder.id}").text)
    assert f"Reminder due {due}; it would reach 2 delegates now." in detail


def test_a_reminder_is_changed_and_cancelled_before_it_is_due(client, auth, organiser, soon):
    auth.login(organiser.email)
    client.post(f"{REMINDERS}/new", data=reminder_form(client))
    reminder = db.session.scalars(sa.select(Message)).one()
    edit = f"{REMINDERS}/{reminder.id}/edit"
    assert 'value="7"' in client.get(edit).text
    response = client.post(edit, data=reminder_form(client, edit, days_before="3"))
    assert_redirects(response, to=REMINDERS)
    assert reminder.days_before == 3
    cancel = hidden_fields(client.get(REMINDERS).text)
    response = client.post(f"{REMINDERS}/{reminder.id}/cancel", data=cancel)
    assert_redirects(response, to=REMINDERS)
    assert reminder.state == MessageState.CANCELLED
    assert "Change" not in re.sub(r"<nav.*?</nav>", "", client.get(REMINDERS).text, flags=re.S)


def test_changing_a_reminder_sent_meanwhile_is_refused_clearly(client, auth, organiser, soon):
    auth.login(organiser.email)
    client.post(f"{REMINDERS}/new", data=reminder_form(client))
    reminder = db.session.scalars(sa.select(Message)).one()
    edit = f"{REMINDERS}/{reminder.id}/edit"
    form = reminder_form(client, edit, subject="Changed too late")
    reminders.send_due_reminders(now=reminder.send_at + timedelta(minutes=1))
    response = client.post(edit, data=form)
    assert_redirects(response, to=f"{BASE}/messages/{reminder.id}")
    page = client.get(response.headers["Location"]).text
    assert "This reminder was sent meanwhile" in page
    assert reminder.subject != "Changed too late"
    # A sent reminder's form is not offered any more.
    assert_redirects(client.get(edit), to=f"{BASE}/messages/{reminder.id}")


def test_a_reminder_in_the_past_or_with_an_unknown_placeholder_is_refused(
    client, auth, organiser, soon
):
    auth.login(organiser.email)
    response = client.post(f"{REMINDERS}/new", data=reminder_form(client, days_before="365"))
    assert response.status_code == 400 and "has passed" in response.text
    response = client.post(f"{REMINDERS}/new", data=reminder_form(client, body="{hotel}"))
    assert response.status_code == 400
    assert "There is no placeholder {hotel}" in html.unescape(response.text)
    response = client.post(f"{REMINDERS}/new", data=reminder_form(client, days_before=""))
    assert response.status_code == 400 and "Give the number of days." in response.text
    assert row_count(Message) == 0
