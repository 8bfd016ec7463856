"""The event's team: who is on it with which role, invitations to join it, role changes."""

from flask import flash, g, redirect, render_template, url_for
from flask_login import current_user

from conference.extensions import db
from conference.models import TeamRole
from conference.organiser import blueprint
from conference.organiser.forms import ChangeRoleForm, InviteMemberForm, RemoveMemberForm
from conference.permissions import ROLES_NEEDING_TWO_FACTOR, Permission, requires
from conference.refusals import on_refusal
from conference.services.people import team


def _team_page(invite_form=None, status=200):
    return render_template(
        "organiser/team.html",
        members=team.members_of(g.event),
        invitations=team.pending_invitations(g.event),
        invite_form=invite_form or InviteMemberForm(formdata=None),
        role_labels={role.value: role.label for role in TeamRole},
        roles_needing_two_factor=ROLES_NEEDING_TWO_FACTOR,
        invitation_days=team.INVITATION_LIFETIME.days,
    ), status


@blueprint.route("/team", endpoint="team")
@requires(Permission.MANAGE)
def team_page():
    return _team_page()


@blueprint.route("/team/invite", methods=["POST"])
@requires(Permission.MANAGE)
def invite_team_member():
    form = InviteMemberForm()
    if not form.validate_on_submit():
        return _team_page(invite_form=form, status=400)
    on_refusal(lambda: _team_page(invite_form=form), form, field="email")
    team.invite_member(g.event, form.email.data, form.role.data, actor=current_user)
    db.session.commit()
    flash(f"An invitation is on its way to {form.email.data.lower()}.", "success")
    return redirect(url_for("organiser.team"))


@blueprint.route("/team/role", methods=["POST"])
@requires(Permission.MANAGE)
def change_team_member_role():
    form = ChangeRoleForm()
    if not form.validate_on_submit():
        flash("Choose a team member and a role.", "danger")
        return _team_page(status=400)
    on_refusal(_team_page)
    member = team.change_role(
        g.event, form.member.data, TeamRole(form.role.data), actor=current_user
    )
    db.session.commit()
    flash(f"The role is now {TeamRole(member.role).label.lower()}.", "success")
    return redirect(url_for("organiser.team"))


@blueprint.route("/team/remove", methods=["POST"])
@requires(Permission.MANAGE)
def remove_team_member():
    form = RemoveMemberForm()
    if not form.validate_on_submit():
        flash("Choose a team member to remove.", "danger")
        return _team_page(status=400)
    on_refusal(_team_page)
    user = team.remove_member(g.event, form.member.data, actor=current_user)
    db.session.commit()
    flash(f"{user.name} is no longer on the team.", "success")
    if user.id == current_user.id:  # removed themselves: this back office is closed to them now
        return redirect(url_for("accounts.home"))
    return redirect(url_for("organiser.team"))


@blueprint.route("/team/invitations/<int:invitation_id>/withdraw", methods=["POST"])
@requires(Permission.MANAGE)
def withdraw_team_invitation(invitation_id: int):  # the app checks the CSRF token first
    on_refusal(_team_page)
    invitation = team.withdraw_invitation(g.event, invitation_id, actor=current_user)
    db.session.commit()
    flash(f"The invitation to {invitation.email} is withdrawn: its link no longer works.", "info")
    return redirect(url_for("organiser.team"))
