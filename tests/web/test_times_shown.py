"""Every time on the registration and back-office pages, and in the emails, says its zone:
CET in winter and CEST in summer, as the clocks in Amsterdam show it that day."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from conference.extensions import db
from conference.models import OutboxEmail, TeamInvitation
from conference.services.audit.writing import log_action
from conference.services.people import team
from conference.services.programme import workshops
from conference.services.registration import registration_invitations
from conference.services.registration.registration_invitations import Invitee
from tests.factories import approved, register, workshop
from tests.workshop_helpers import publish

# 09:30 UTC is 10:30 in Amsterdam in November (CET, UTC+1) and 11:30 in July (CEST, UTC+2).
NOVEMBER = datetime(2014, 11, 3, 9, 30, tzinfo=UTC)
JULY = datetime(2014, 7, 1, 9, 30, tzinfo=UTC)


@pytest.fixture
def winter_and_summer(event):
    """A registration submitted in November, and one in July."""
    winter = register(event, "winter@police.example")
    winter.created_at = NOVEMBER
    summer = register(event, "summer@police.example")
    summer.created_at = JULY
    db.session.commit()
    return winter, summer


def test_the_registration_page_says_cet_in_november_and_cest_in_summer(
    client, auth, organiser, winter_and_summer
):
    winter, summer = winter_and_summer
    auth.login(organiser.email)
    page = client.get(f"/vgt-2014/organiser/registrations/{winter.reference}").text
    assert "3 Nov 2014, 10:30 CET" in page
    page = client.get(f"/vgt-2014/organiser/registrations/{summer.reference}").text
    assert "1 Jul 2014, 11:30 CEST" in page


def test_the_registration_list_says_the_zone_of_each_time(
    client, auth, organiser, winter_and_summer
):
    auth.login(organiser.email)
    page = client.get("/vgt-2014/organiser/registrations").text
    assert "3 Nov 2014, 10:30 CET" in page
    assert "1 Jul 2014, 11:30 CEST" in page


def test_the_delegates_status_page_says_the_zone(client, auth, winter_and_summer):
    auth.login("summer@police.example")
    page = client.get("/vgt-2014/registration").text
    assert "1 Jul 2014, 11:30 CEST" in page


def test_the_audit_log_says_the_zone(client, auth, event, organiser, winter_and_summer):
    winter, _ = winter_and_summer
    log_action("registration.viewed", winter, actor=organiser, event_id=event.id, at=NOVEMBER)
    db.session.commit()
    auth.login(organiser.email)
    assert "3 Nov 2014, 10:30 CET" in client.get("/vgt-2014/organiser/audit-log").text


def test_the_invitations_page_says_when_each_was_sent_with_its_zone(client, auth, event, organiser):
    registration_invitations.invite(
        event, Invitee("anna@politie.example", "Anna de Vries"), actor=organiser, now=JULY
    )
    db.session.commit()
    auth.login(organiser.email)
    assert "1 Jul 2014, 11:30 CEST" in client.get("/vgt-2014/organiser/invitations").text


def test_the_team_page_says_until_when_an_invitation_works_with_its_zone(
    client, auth, event, organiser
):
    team.invite_member(event, "liaison@fbi.example", "viewer", actor=organiser)
    # Far enough ahead to be pending whenever the test runs, on a winter's day.
    expires = datetime(2099, 1, 15, 16, 0, tzinfo=UTC)
    db.session.execute(sa.update(TeamInvitation).values(expires_at=expires))
    db.session.commit()
    auth.login(organiser.email)
    assert "15 Jan 2099, 17:00 CET" in client.get("/vgt-2014/organiser/team").text


def test_the_settings_page_shows_the_registration_window_with_its_zones(
    client, auth, event, organiser
):
    event.registration_opens_at = JULY
    event.registration_closes_at = NOVEMBER
    db.session.commit()
    auth.login(organiser.email)
    page = client.get("/vgt-2014/organiser/settings").text
    window = "registration opens on 1 Jul 2014, 11:30 CEST and closes on 3 Nov 2014, 10:30 CET."
    assert f"As saved: {window}" in page


def test_the_dashboard_says_which_days_its_sign_ups_are_counted_in(
    client, auth, organiser, winter_and_summer
):
    auth.login(organiser.email)
    page = client.get("/vgt-2014/organiser/").text
    assert "Days in Europe/Amsterdam time" in page


def test_a_workshop_email_says_its_times_with_the_zone(event):
    finding = workshop(event, "Finding the child", capacity=10, start=(13, 30), end=(15, 0))
    publish(event)
    anna = approved(event, "anna@police.example")
    workshops.sign_up(anna, finding.id, actor=anna.user)
    db.session.commit()
    body = db.session.scalars(
        sa.select(OutboxEmail.body_text).where(
            OutboxEmail.recipient == "anna@police.example",
            OutboxEmail.subject.contains("Finding the child"),
        )
    ).one()
    assert "5 Nov 2014, 13:30–15:00 CET" in body


def test_the_team_invitation_email_says_until_when_the_link_works_with_the_zone(event, organiser):
    now = datetime(2014, 10, 20, 9, 30, tzinfo=UTC)  # the link works a week: into CET
    team.invite_member(event, "liaison@fbi.example", "viewer", actor=organiser, now=now)
    db.session.commit()
    body = db.session.scalars(
        sa.select(OutboxEmail.body_text).where(OutboxEmail.recipient == "liaison@fbi.example")
    ).one()
    expires = now + timedelta(days=7)
    assert f"{expires.day} Oct 2014, 10:30 CET" in body
