"""The team page and the invitee's side of an invitation, through the test client."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from conference.extensions import db
from conference.models import AuditEntry, OutboxEmail, TeamInvitation, TeamRole, utcnow
from conference.services.people import team
from tests.client import assert_redirects, log_in_first
from tests.factories import PASSWORD, make_event, make_organiser, make_user

TEAM = "/vgt-2014/organiser/team"


def invitation_link(address: str) -> str:
    body = db.session.scalars(
        sa.select(OutboxEmail.body_text)
        .where(OutboxEmail.recipient == address)
        .order_by(OutboxEmail.id.desc())
    ).first()
    return re.search(r"http://localhost(/account/invitations/\S+)", body).group(1)


def invite(event, organiser, address="liaison@fbi.example", role="viewer") -> str:
    """An invitation made by the organiser; the path of its link."""
    team.invite_member(event, address, role, actor=organiser)
    db.session.commit()
    return invitation_link(address.lower())


def role_of(event, email: str):
    user = team.find_user(email)
    return user.role_in(event) if user else None


def invitation_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(TeamInvitation))


# --- the team page ----------------------------------------------------------------------------


def test_the_team_page_lists_members_roles_two_factor_and_invitations(
    client, auth, event, organiser
):
    viewer = make_organiser(event, "viewer@politie.example", role="viewer")
    viewer.totp_enabled_at = None
    moderator = make_organiser(event, "moderator@politie.example", role="moderator")
    moderator.totp_enabled_at = None
    desk = make_organiser(event, "door@politie.example", role="check_in")
    desk.totp_enabled_at = None
    invite(event, organiser, "desk@politie.example", "check_in")
    auth.login(organiser.email)
    page = client.get(TEAM).text
    for shown in [
        "organiser@politie.example",
        "viewer@politie.example",
        "Off: required",  # the moderator and the viewer
        '<span class="badge text-bg-secondary">Off</span>',  # the check-in desk needs none
        '<span class="badge text-bg-success">On</span>',  # the organiser
        "desk@politie.example",
        "Check-in staff",
        '<label class="form-label" for="email">Email address',
    ]:
        assert shown in page, shown
    assert re.search(r'<option value="moderator" selected>Moderator</option>', page)


@pytest.mark.parametrize("role", ["moderator", "viewer"])
def test_only_organisers_manage_the_team(client, auth, event, organiser, role):
    make_organiser(event, f"{role}@politie.example", role=role)
    db.session.commit()
    auth.login(f"{role}@politie.example")
    assert client.get(TEAM).status_code == 403
    response = client.post(f"{TEAM}/invite", data={"email": "x@fbi.example", "role": "organiser"})
    assert response.status_code == 403 and invitation_count() == 0


def test_an_organiser_invites_someone_by_email(client, auth, event, organiser):
    auth.login(organiser.email)
    response = client.post(
        f"{TEAM}/invite", data={"email": " Liaison@FBI.example ", "role": "moderator"}
    )
    assert_redirects(response, to=TEAM)
    assert "An invitation is on its way to liaison@fbi.example." in client.get(TEAM).text
    assert invitation_link("liaison@fbi.example").startswith("/account/invitations/")
    invitation = db.session.scalars(sa.select(TeamInvitation)).one()
    assert (invitation.role, invitation.invited_by_id) == ("moderator", organiser.id)


@pytest.mark.parametrize(
    "data, message",
    [
        ({"email": "not an address", "role": "viewer"}, "Invalid email address."),
        ({"email": "x@fbi.example", "role": "admin"}, "Not a valid choice."),
        ({"email": "", "role": "viewer"}, "This field is required."),
    ],
)
def test_a_bad_invitation_says_why_beside_the_field(client, auth, event, organiser, data, message):
    auth.login(organiser.email)
    response = client.post(f"{TEAM}/invite", data=data)
    assert response.status_code == 400
    assert message in response.text and "invalid-feedback" in response.text
    assert invitation_count() == 0


def test_inviting_a_member_again_is_refused_clearly(client, auth, event, organiser):
    make_organiser(event, "moderator@politie.example", role="moderator")
    db.session.commit()
    auth.login(organiser.email)
    response = client.post(
        f"{TEAM}/invite", data={"email": "MODERATOR@politie.example", "role": "viewer"}
    )
    assert response.status_code == 409
    assert "moderator@politie.example is already on the team as moderator" in response.text
    assert invitation_count() == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxEmail)) == 0


def test_an_organiser_changes_a_members_role(client, auth, event, organiser):
    viewer = make_organiser(event, "viewer@politie.example", role="viewer")
    db.session.commit()
    auth.login(organiser.email)
    response = client.post(f"{TEAM}/role", data={"member": viewer.id, "role": "moderator"})
    assert_redirects(response, to=TEAM)
    assert "The role is now moderator." in client.get(TEAM).text
    assert role_of(event, "viewer@politie.example") == TeamRole.MODERATOR


def test_the_last_organiser_cannot_be_demoted_or_removed(client, auth, event, organiser):
    auth.login(organiser.email)
    demote = client.post(f"{TEAM}/role", data={"member": organiser.id, "role": "viewer"})
    assert demote.status_code == 409
    assert "You cannot change the role of the last organiser" in demote.text
    remove = client.post(f"{TEAM}/remove", data={"member": organiser.id})
    assert remove.status_code == 409 and "You cannot remove the last organiser" in remove.text
    assert role_of(event, organiser.email) == TeamRole.ORGANISER


def test_an_organiser_removes_a_member(client, auth, event, organiser):
    moderator = make_organiser(event, "moderator@politie.example", role="moderator")
    db.session.commit()
    auth.login(organiser.email)
    response = client.post(f"{TEAM}/remove", data={"member": moderator.id})
    assert_redirects(response, to=TEAM)
    assert "Olga Organiser is no longer on the team." in client.get(TEAM).text
    assert role_of(event, "moderator@politie.example") is None
    assert team.find_user("moderator@politie.example") is not None


def test_an_organiser_who_removes_themselves_leaves_the_back_office(client, auth, event, organiser):
    make_organiser(event, "second@politie.example")
    db.session.commit()
    auth.login(organiser.email)
    response = client.post(f"{TEAM}/remove", data={"member": organiser.id})
    assert_redirects(response, to="/account/")
    assert client.get(TEAM).status_code == 403


@pytest.mark.parametrize("path", ["role", "remove"])
def test_a_change_without_a_member_is_a_400(client, auth, event, organiser, path):
    auth.login(organiser.email)
    response = client.post(f"{TEAM}/{path}", data={"member": "", "role": "viewer"})
    assert response.status_code == 400
    assert "Choose a team member" in response.text


def test_a_change_to_someone_outside_the_team_is_refused(client, auth, event, organiser):
    outsider = make_user("outsider@police.example")
    db.session.commit()
    auth.login(organiser.email)
    response = client.post(f"{TEAM}/role", data={"member": outsider.id, "role": "organiser"})
    assert response.status_code == 409 and "not on the team" in response.text
    assert role_of(event, outsider.email) is None


def test_team_changes_are_in_the_audit_log(client, auth, event, organiser):
    auth.login(organiser.email)
    client.post(f"{TEAM}/invite", data={"email": "ngo@ecpat.example", "role": "viewer"})
    actions = db.session.scalars(
        sa.select(AuditEntry.action).where(AuditEntry.actor_id == organiser.id)
    ).all()
    assert "team.invited" in actions
    page = client.get("/vgt-2014/organiser/audit-log?what=team.invited").text
    assert "Invitation to ngo@ecpat.example" in page and "Team: invited" in page


def test_a_pending_invitation_can_be_withdrawn_and_its_link_stops_working(
    client, auth, event, organiser
):
    link = invite(event, organiser)
    invitation = db.session.scalars(sa.select(TeamInvitation)).one()
    auth.login(organiser.email)
    assert "Withdraw the invitation to liaison@fbi.example" in client.get(TEAM).text
    response = client.post(f"{TEAM}/invitations/{invitation.id}/withdraw")
    assert_redirects(response, to=TEAM)
    page = client.get(TEAM).text
    assert "The invitation to liaison@fbi.example is withdrawn" in page
    assert invitation_count() == 0
    assert "team.invitation_withdrawn" in db.session.scalars(sa.select(AuditEntry.action)).all()
    auth.logout()
    assert "This invitation link is not valid" in client.get(link).text


def test_withdrawing_an_invitation_of_another_event_is_a_404(client, auth, event, organiser):
    other = make_event(slug="vgt-2015")
    make_organiser(other, "other@politie.example")
    team.invite_member(other, "x@fbi.example", "viewer", actor=organiser)
    db.session.commit()
    invitation = db.session.scalars(sa.select(TeamInvitation)).one()
    auth.login(organiser.email)
    assert client.post(f"{TEAM}/invitations/{invitation.id}/withdraw").status_code == 404
    assert invitation_count() == 1


# --- the invitee ------------------------------------------------------------------------------


def test_an_invitee_who_is_not_logged_in_is_asked_to_log_in_or_sign_up(client, event, organiser):
    link = invite(event, organiser)
    page = client.get(link)
    assert page.status_code == 200
    assert "Join the team of VGT 2014" in page.text and "liaison@fbi.example" in page.text
    assert f'href="/account/login?next={link}"' in page.text
    assert f'href="/account/signup?next={link}"' in page.text


def test_an_invitee_logs_in_and_joins_with_the_role(client, event, organiser):
    link = invite(event, organiser, "Liaison@FBI.example", "viewer")
    make_user("liaison@fbi.example", name="Lee Liaison")
    db.session.commit()
    login = client.post(
        "/account/login",
        query_string={"next": link},
        data={"email": "liaison@fbi.example", "password": PASSWORD},
    )
    assert_redirects(login, to=link)
    page = client.get(link)
    assert page.status_code == 200 and "Join the team" in page.text
    assert "This role needs two-factor log-in" in page.text
    joined = client.post(link)
    assert_redirects(joined, to="/vgt-2014/organiser/registrations")
    assert (
        "Welcome to the team of VGT 2014, as Viewer."
        in client.get(joined.headers["Location"], follow_redirects=True).text
    )
    assert role_of(event, "liaison@fbi.example") == TeamRole.VIEWER
    assert client.get(link).status_code == 400  # used
    entry = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "team.invitation_accepted")
    ).one()
    user = team.find_user("liaison@fbi.example")
    assert (entry.object_type, entry.object_id, entry.actor_id) == ("user", user.id, user.id)
    assert entry.details["role"] == "viewer" and entry.event_id == event.id


def test_a_new_moderator_sets_up_two_factor_before_the_back_office(client, auth, event, organiser):
    link = invite(event, organiser, "mod@politie.example", "moderator")
    make_user("mod@politie.example")
    db.session.commit()
    auth.login("mod@politie.example")
    assert "needs two-factor log-in" in client.get(link).text
    joined = client.post(link)
    assert_redirects(joined, to="/vgt-2014/organiser/registrations")
    response = client.get("/vgt-2014/organiser/registrations")
    assert_redirects(
        response, to="/account/two-factor?next=%2Fvgt-2014%2Forganiser%2Fregistrations"
    )


def test_check_in_staff_land_on_their_account_page(client, auth, event, organiser):
    link = invite(event, organiser, "desk@politie.example", "check_in")
    make_user("desk@politie.example")
    db.session.commit()
    auth.login("desk@politie.example")
    assert "needs two-factor log-in" not in client.get(link).text
    assert_redirects(client.post(link), to="/account/")
    assert role_of(event, "desk@politie.example") == TeamRole.CHECK_IN


def test_an_invitee_logged_in_with_another_address_is_told(
    client, auth, event, organiser, delegate
):
    link = invite(event, organiser)
    auth.login(delegate.email)
    page = client.get(link)
    assert page.status_code == 403
    assert "This invitation is for another email address" in page.text
    assert client.post(link).status_code == 403
    assert role_of(event, delegate.email) is None


def test_an_anonymous_acceptance_goes_to_the_login_page_first(client, event, organiser):
    link = invite(event, organiser)
    response = client.post(link)
    assert_redirects(response, to=log_in_first(link))
    assert invitation_count() == 1 and role_of(event, "liaison@fbi.example") is None


def test_an_unknown_link_says_so(client, app):
    page = client.get("/account/invitations/not-a-real-token")
    assert page.status_code == 400
    assert "This invitation link is not valid." in page.text


def test_an_expired_link_says_so(client, auth, event, organiser):
    link = invite(event, organiser, "late@politie.example")
    db.session.execute(sa.update(TeamInvitation).values(expires_at=utcnow() - timedelta(minutes=1)))
    make_user("late@politie.example")
    db.session.commit()
    auth.login("late@politie.example")
    page = client.post(link)
    assert page.status_code == 400 and "This invitation has expired." in page.text
    assert role_of(event, "late@politie.example") is None


def test_someone_already_on_the_team_cannot_accept_twice(client, auth, event, organiser):
    link = invite(event, organiser, "mod@politie.example", "viewer")
    make_organiser(event, "mod@politie.example", role="moderator")
    db.session.commit()
    auth.login("mod@politie.example")
    page = client.post(link)
    assert page.status_code == 409 and "You are already on the team of VGT 2014." in page.text
    assert role_of(event, "mod@politie.example") == TeamRole.MODERATOR


@pytest.fixture
def app_settings(request):
    return {"WTF_CSRF_ENABLED": True} if "csrf" in request.node.name else {}


def test_accepting_needs_the_forms_csrf_token(client, event, organiser):
    link = invite(event, organiser)
    make_user("liaison@fbi.example")
    db.session.commit()
    login_page = client.get("/account/login").text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login_page).group(1)
    client.post(
        "/account/login",
        data={"email": "liaison@fbi.example", "password": PASSWORD, "csrf_token": token},
    )
    assert client.post(link).status_code == 400
    page = client.get(link).text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    assert_redirects(
        client.post(link, data={"csrf_token": token}), to="/vgt-2014/organiser/registrations"
    )
    assert role_of(event, "liaison@fbi.example") == TeamRole.VIEWER
