"""The audit log page: what the team reads, and that it can only be read."""

from datetime import UTC, datetime

import pytest

from conference.extensions import db
from conference.services.audit.writing import log_action
from conference.services.registration import workflow
from tests.factories import make_organiser, register

LOG = "/vgt-2014/organiser/audit-log"


@pytest.fixture
def approved(event, organiser):
    registration = register(event, "maria@garda.example")
    workflow.approve_registration(registration, organiser=organiser)
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
        "<dt>desk</dt>",
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


@pytest.mark.parametrize("role", ["checkin", "delegate"])
def test_check_in_staff_and_delegates_may_not(client, auth, event, organiser, delegate, role):
    if role == "checkin":
        make_organiser(event, "checkin@politie.example", role="checkin")
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
    assert 'href="/vgt-2014/organiser/audit-log?page=2&amp;what=team.reminder_sent"' in first
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
