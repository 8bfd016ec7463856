"""The team of an event, without HTTP: invitations, roles, and the last organiser."""

import threading
from datetime import timedelta
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from conference.extensions import db
from conference.models import (
    AuditEntry,
    OutboxEmail,
    TeamInvitation,
    TeamMember,
    TeamRole,
    utcnow,
)
from conference.services.errors import DomainError, InvalidToken, NotAllowed
from conference.services.people import team
from tests.environment import on_postgres
from tests.factories import make_event, make_organiser, make_user


@pytest.fixture
def organiser(event):
    return make_organiser(event)


def actions(event) -> list[str]:
    return db.session.scalars(
        sa.select(AuditEntry.action).where(AuditEntry.event_id == event.id).order_by(AuditEntry.id)
    ).all()


def test_create_team_member_still_makes_a_verified_organiser_once(event):
    user, created = team.create_team_member(event, " Ruud.Bik@Politie.example ", "a long password")
    again, created_again = team.create_team_member(event, "ruud.bik@politie.example", "other")
    assert created and not created_again and again is user
    assert user.email == "ruud.bik@politie.example" and user.is_verified
    assert user.organises(event)
    assert actions(event) == ["team.member_added"]


def test_an_invitation_stores_only_a_hash_and_mails_the_link(event, organiser):
    invitation, token = team.invite_member(
        event, " Liaison@FBI.example ", TeamRole.MODERATOR, actor=organiser
    )
    assert invitation.email == "liaison@fbi.example"
    assert token not in invitation.token_hash and len(invitation.token_hash) == 64
    assert invitation.expires_at - invitation.created_at == timedelta(days=7)
    [email] = db.session.scalars(
        sa.select(OutboxEmail).where(OutboxEmail.recipient == "liaison@fbi.example")
    ).all()
    assert email.subject == "You are invited to the team of VGT 2014"
    assert f"http://localhost/account/invitations/{token}" in email.body_text
    assert "as moderator" in email.body_text and "Olga Organiser" in email.body_text
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "team.invited"))
    assert entry.one().details == {"email": "liaison@fbi.example", "role": "moderator"}


def test_inviting_a_team_member_again_is_refused(event, organiser):
    with pytest.raises(DomainError, match="already on the team as organiser"):
        team.invite_member(event, "ORGANISER@politie.example", "viewer", actor=organiser)


def test_a_new_invitation_to_the_same_address_replaces_the_old_link(event, organiser):
    _, old = team.invite_member(event, "ngo@ecpat.example", "viewer", actor=organiser)
    _, new = team.invite_member(event, "ngo@ecpat.example", "moderator", actor=organiser)
    with pytest.raises(InvalidToken, match="not valid"):
        team.invitation_for_token(old)
    assert team.invitation_for_token(new).role == "moderator"
    assert [i.role for i in team.pending_invitations(event)] == ["moderator"]


def test_accepting_makes_the_invited_user_a_member_with_the_role(event, organiser):
    _, token = team.invite_member(event, "Desk@Politie.example", "check_in", actor=organiser)
    desk = make_user("desk@politie.example", name="Dirk Desk")
    member = team.accept_invitation(token, desk)
    assert member.role == "check_in" and desk.role_in(event) == TeamRole.CHECK_IN
    assert team.pending_invitations(event) == []
    assert actions(event)[-1] == "team.invitation_accepted"


def test_an_invitation_works_once(event, organiser):
    _, token = team.invite_member(event, "desk@politie.example", "viewer", actor=organiser)
    team.accept_invitation(token, make_user("desk@politie.example"))
    with pytest.raises(InvalidToken, match="used already"):
        team.accept_invitation(token, make_user("other@politie.example"))


def test_an_invitation_expires_after_seven_days(event, organiser):
    start = utcnow()
    _, token = team.invite_member(event, "late@politie.example", "viewer", actor=organiser)
    user = make_user("late@politie.example")
    team.invitation_for_token(token, start + timedelta(days=6, hours=23))
    with pytest.raises(InvalidToken, match="expired"):
        team.accept_invitation(token, user, start + timedelta(days=7, seconds=1))
    assert team.pending_invitations(event, start + timedelta(days=7, seconds=1)) == []
    assert user.role_in(event) is None


def test_an_unknown_link_is_refused(app):
    with pytest.raises(InvalidToken, match="not valid"):
        team.invitation_for_token("made-up")


def test_only_the_invited_address_may_accept(event, organiser):
    _, token = team.invite_member(event, "right@politie.example", "viewer", actor=organiser)
    with pytest.raises(NotAllowed, match="another email address"):
        team.accept_invitation(token, make_user("wrong@politie.example"))
    assert db.session.scalars(sa.select(TeamInvitation)).one().accepted_at is None


def test_someone_who_joined_meanwhile_cannot_accept_a_second_role(event, organiser):
    _, token = team.invite_member(event, "mod@politie.example", "viewer", actor=organiser)
    make_organiser(event, "mod@politie.example", role="moderator")
    with pytest.raises(DomainError, match="already on the team"):
        team.accept_invitation(token, team.find_user("mod@politie.example"))


def test_an_invitation_opens_only_its_own_event(event, organiser):
    other = make_event(slug="vgt-2015")
    _, token = team.invite_member(other, "desk@politie.example", "viewer", actor=organiser)
    desk = make_user("desk@politie.example")
    team.accept_invitation(token, desk)
    assert desk.role_in(other) == TeamRole.VIEWER and desk.role_in(event) is None


def test_the_team_lists_organisers_first(event, organiser):
    make_organiser(event, "a.viewer@politie.example", role="viewer")
    make_organiser(event, "b.moderator@politie.example", role="moderator")
    assert [(m.user.email, m.role) for m in team.members_of(event)] == [
        ("organiser@politie.example", TeamRole.ORGANISER),
        ("b.moderator@politie.example", TeamRole.MODERATOR),
        ("a.viewer@politie.example", TeamRole.VIEWER),
    ]


def test_an_organiser_changes_a_role_and_it_is_audited(event, organiser):
    viewer = make_organiser(event, "viewer@politie.example", role="viewer")
    team.change_role(event, viewer.id, TeamRole.MODERATOR, actor=organiser)
    assert viewer.role_in(event) == TeamRole.MODERATOR
    entry = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "team.role_changed")
    ).one()
    assert (entry.actor_id, entry.object_type, entry.object_id) == (organiser.id, "user", viewer.id)
    assert entry.details == {"from_role": "viewer", "to_role": "moderator"}


def test_the_same_role_again_changes_and_logs_nothing(event, organiser):
    viewer = make_organiser(event, "viewer@politie.example", role="viewer")
    team.change_role(event, viewer.id, "viewer", actor=organiser)
    assert "team.role_changed" not in actions(event)


def test_the_last_organiser_keeps_the_role(event, organiser):
    with pytest.raises(DomainError, match="last organiser"):
        team.change_role(event, organiser.id, TeamRole.VIEWER, actor=organiser)
    with pytest.raises(DomainError, match="last organiser"):
        team.remove_member(event, organiser.id, actor=organiser)
    assert organiser.organises(event)


def test_with_a_second_organiser_the_first_may_step_down(event, organiser):
    make_organiser(event, "second@politie.example")
    team.change_role(event, organiser.id, TeamRole.VIEWER, actor=organiser)
    assert organiser.role_in(event) == TeamRole.VIEWER


def test_removing_a_member_keeps_their_account_and_is_audited(event, organiser):
    moderator = make_organiser(event, "moderator@politie.example", role="moderator")
    removed = team.remove_member(event, moderator.id, actor=organiser)
    assert removed is moderator and moderator.role_in(event) is None
    assert team.find_user("moderator@politie.example") is moderator
    entry = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "team.member_removed")
    ).one()
    assert entry.details == {"role": "moderator"} and entry.object_id == moderator.id


def test_changes_to_someone_outside_the_team_are_refused(event, organiser):
    outsider = make_user("outsider@police.example")
    with pytest.raises(DomainError, match="not on the team"):
        team.change_role(event, outsider.id, "viewer", actor=organiser)
    with pytest.raises(DomainError, match="not on the team"):
        team.remove_member(event, outsider.id, actor=organiser)


@pytest.mark.postgres
@pytest.mark.skipif(not on_postgres(), reason="needs PostgreSQL (set TEST_DATABASE_URL)")
@pytest.mark.parametrize("locked", [True, False], ids=["with the lock", "control without it"])
def test_two_organisers_stepping_down_at_once_leave_one_organiser(
    app, event, organiser, monkeypatch, locked
):
    """The second change waits for the first; without the event lock both would go through."""
    second = make_organiser(event, "second@politie.example")
    db.session.commit()
    if not locked:
        monkeypatch.setattr(team, "lock_event", lambda event_id: None)
    outcome = {}

    def the_other_organiser_steps_down():
        with app.app_context():
            try:
                team.change_role(event_ref, second.id, "viewer", actor=second_ref)
                db.session.commit()
                outcome["second"] = "stepped down"
            except DomainError as error:
                db.session.rollback()
                outcome["second"] = error.message

    event_ref, second_ref = SimpleNamespace(id=event.id), SimpleNamespace(id=second.id)
    team.change_role(event, organiser.id, "viewer", actor=organiser)
    db.session.flush()  # the first change is made, not yet committed
    other = threading.Thread(target=the_other_organiser_steps_down)
    other.start()
    other.join(timeout=0.5)
    db.session.commit()
    other.join(timeout=10)
    organisers = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(TeamMember)
        .where(TeamMember.event_id == event.id, TeamMember.role == "organiser")
    )
    if locked:
        assert "last organiser" in outcome["second"] and organisers == 1
    else:  # the control: the race is real, and the lock is what prevents it
        assert outcome["second"] == "stepped down" and organisers == 0
