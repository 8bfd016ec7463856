"""Invitations through the pages, with CSRF protection on: the organiser invites, the invitee
follows the emailed link and registers; an event by invitation only turns others away."""

import re

import pytest
import sqlalchemy as sa

from conference.extensions import db
from conference.models import Invitation, InvitationState, Registration, TeamRole
from conference.services.registration import registration_invitations
from conference.services.registration.registration_invitations import Invitee
from tests.client import assert_redirects, csrf_token, log_in_first
from tests.factories import make_organiser, make_user
from tests.web.test_import import upload

PAGE = "/vgt-2014/organiser/invitations"
INVITEE = "anna@politie.example"


@pytest.fixture
def app_settings(mail_server) -> dict:
    return {"WTF_CSRF_ENABLED": True, **mail_server.settings()}


def send_mail(runner) -> None:
    result = runner.invoke(args=["send-mail"])
    assert result.exit_code == 0, result.output


def registration_form(page: str, **overrides) -> dict:
    europol = re.search(r'<option[^>]*? value="(\d+)"[^>]*>Europol</option>', page).group(1)
    return {
        "csrf_token": csrf_token(page),
        "organisation": europol,
        "country": "NL",
        "job_title": "Analyst",
        "invitation_letter_needed": "no",
        **overrides,
    }


def test_the_invitee_registers_through_the_link_in_the_email(
    client, auth, upcoming_event, organiser, runner, mail_server
):
    auth.login(organiser.email)
    page = client.get(PAGE).text
    assert "Nobody is invited yet." in page
    response = client.post(
        PAGE,
        data={
            "csrf_token": csrf_token(page),
            "email": INVITEE,
            "name": "Anna de Vries",
            "organisation": "Politie",
            "country": "NL",
        },
    )
    assert_redirects(response, to=PAGE)
    assert f"An invitation with a new code is on its way to {INVITEE}" in client.get(PAGE).text
    auth.logout()

    send_mail(runner)
    (link,) = mail_server.links_to(INVITEE, "/vgt-2014/register?code=")
    code = link.partition("code=")[2]
    make_user(INVITEE, name="Anna de Vries")
    db.session.commit()

    # Logged out, the link goes by the log-in page and comes back with its code.
    login = client.get(link)
    assert_redirects(login, to=log_in_first(f"/vgt-2014/register?code={code}"))
    auth.login(INVITEE)
    page = client.get(link).text
    assert "The organisers have invited Anna de Vries." in page
    assert f'value="{code}"' in page
    response = client.post(link, data=registration_form(page, invitation_code=code))
    assert_redirects(response, to="/vgt-2014/registration")

    invitation = db.session.scalars(sa.select(Invitation)).one()
    registration = db.session.scalars(sa.select(Registration)).one()
    assert invitation.state == InvitationState.USED
    assert invitation.registration_id == registration.id

    auth.logout()
    auth.login(organiser.email)
    assert registration.reference in client.get(PAGE).text


def test_an_event_by_invitation_only_refuses_a_registration_without_a_valid_code(
    client, auth, upcoming_event, delegate
):
    upcoming_event.invitation_only = True
    db.session.commit()
    assert "By invitation only" in client.get("/vgt-2014/").text
    auth.login(delegate.email)
    page = client.get("/vgt-2014/register").text
    assert "VGT 2014 is by invitation only" in page

    response = client.post("/vgt-2014/register", data=registration_form(page))
    assert response.status_code == 400
    assert "This conference is by invitation only: enter your code." in response.text

    page = response.text
    response = client.post(
        "/vgt-2014/register", data=registration_form(page, invitation_code="AAAA-BBBB-CCCC")
    )
    assert response.status_code == 400
    assert "This is not an invitation code for VGT 2014." in response.text
    # What the delegate typed is still there to send again.
    assert 'value="Analyst"' in response.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)) == 0


def test_withdrawing_an_invitation_stops_its_code(
    client, auth, upcoming_event, organiser, delegate
):
    invitation, code = registration_invitations.invite(
        upcoming_event, Invitee(delegate.email, "Dana Delegate"), actor=organiser
    )
    db.session.commit()
    auth.login(organiser.email)
    page = client.get(PAGE).text
    assert "Not used yet: 1" in page
    response = client.post(
        f"{PAGE}/{invitation.id}/withdraw", data={"csrf_token": csrf_token(page)}
    )
    assert_redirects(response, to=PAGE)
    assert "Withdrawn: 1" in client.get(PAGE).text
    auth.logout()

    auth.login(delegate.email)
    page = client.get(f"/vgt-2014/register?code={code}").text
    assert "The organisers have invited" not in page
    response = client.post("/vgt-2014/register", data=registration_form(page, invitation_code=code))
    assert response.status_code == 400
    assert "This invitation has been withdrawn." in response.text


def test_an_invalid_invitation_form_keeps_what_was_typed(client, auth, organiser):
    auth.login(organiser.email)
    page = client.get(PAGE).text
    response = client.post(
        PAGE, data={"csrf_token": csrf_token(page), "email": "not-an-address", "name": "Anna"}
    )
    assert response.status_code == 400
    assert 'value="not-an-address"' in response.text and 'value="Anna"' in response.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Invitation)) == 0


def test_a_viewer_sees_the_invitations_but_cannot_invite(client, auth, event, organiser):
    registration_invitations.invite(event, Invitee(INVITEE, "Anna de Vries"), actor=organiser)
    viewer = make_organiser(event, "viewer@politie.example", role=TeamRole.VIEWER)
    db.session.commit()
    auth.login(viewer.email)
    page = client.get(PAGE).text
    assert INVITEE in page
    assert "Send invitation" not in page and "/withdraw" not in page and "Send again" not in page
    assert client.post(PAGE, data={"csrf_token": csrf_token(page)}).status_code == 403


def test_invitees_imported_from_a_file_each_get_their_own_code(
    client, auth, organiser, runner, mail_server
):
    auth.login(organiser.email)
    page = client.get("/vgt-2014/organiser/import?kind=invitees").text
    assert re.search(r'<input checked[^>]* value="invitees"', page)
    token = csrf_token(page)
    people = (
        "name,email,organisation,country\n"
        "Anna de Vries,anna@politie.example,Politie,NL\n"
        "Bram Janssen,bram@europol.example,Europol,\n"
    )
    bad = people + "Lost,lost@police.example,,Atlantis\n"

    checked = upload(client, bad, kind="invitees", csrf_token=token, dry_run="Check the file")
    assert checked.status_code == 400
    assert "Unknown country “Atlantis”." in checked.text
    refused = upload(client, bad, kind="invitees", csrf_token=token, submit="Import")
    assert refused.status_code == 400 and "Nobody was invited" in refused.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Invitation)) == 0

    checked = upload(client, people, kind="invitees", csrf_token=token, dry_run="Check the file")
    assert "2 rows are ready to invite" in checked.text
    imported = upload(client, people, kind="invitees", csrf_token=token, submit="Import")
    assert_redirects(imported, to=PAGE)
    send_mail(runner)
    anna = mail_server.links_to("anna@politie.example", "/vgt-2014/register?code=")
    bram = mail_server.links_to("bram@europol.example", "/vgt-2014/register?code=")
    assert len(anna) == len(bram) == 1 and anna != bram


def test_invitations_are_in_the_audit_log_by_name(client, auth, event, organiser):
    registration_invitations.invite(event, Invitee(INVITEE, "Anna de Vries"), actor=organiser)
    db.session.commit()
    auth.login(organiser.email)
    page = client.get("/vgt-2014/organiser/audit-log?what=invitation.sent").text
    assert "Invitation: sent" in page
    assert "Invitation of Anna de Vries &lt;anna@politie.example&gt;" in page
