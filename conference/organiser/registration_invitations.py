"""Invitations to register: who is invited, with what result; invite one, withdraw one."""

from flask import flash, g, redirect, render_template, url_for
from flask_login import current_user

from conference.extensions import db
from conference.models import InvitationState
from conference.organiser import blueprint
from conference.organiser.forms import InviteeForm
from conference.permissions import Permission, requires
from conference.refusals import on_refusal
from conference.services.registration import registration_invitations
from conference.services.registration.registration_invitations import Invitee


def _invitations_page(form=None, status=200):
    listed = registration_invitations.invitations_of(g.event)
    counts = {state: 0 for state in InvitationState}
    for invitation in listed:
        counts[invitation.state] += 1
    return render_template(
        "organiser/registration_invitations.html",
        invitations=listed,
        counts=counts,
        form=form or InviteeForm(formdata=None),
    ), status


@blueprint.route("/invitations", endpoint="registration_invitations")
@requires(Permission.VIEW)
def invitations_page():
    return _invitations_page()


@blueprint.route("/invitations", methods=["POST"])
@requires(Permission.MANAGE)
def invite_to_register():
    form = InviteeForm()
    if not form.validate_on_submit():
        return _invitations_page(form, status=400)
    invitee = Invitee(
        email=form.email.data,
        name=form.name.data,
        organisation=form.organisation.data or "",
        country=form.country.data or None,
    )
    on_refusal(lambda: _invitations_page(form), form, field="email")
    invitation, _code = registration_invitations.invite(g.event, invitee, actor=current_user)
    db.session.commit()
    flash(f"An invitation with a new code is on its way to {invitation.email}.", "success")
    return redirect(url_for("organiser.registration_invitations"))


@blueprint.route("/invitations/<int:invitation_id>/withdraw", methods=["POST"])
@requires(Permission.MANAGE)
def withdraw_registration_invitation(invitation_id: int):  # the app checks the CSRF token first
    on_refusal(_invitations_page)
    invitation = registration_invitations.withdraw(g.event, invitation_id, actor=current_user)
    db.session.commit()
    flash(f"The invitation to {invitation.email} is withdrawn: its code no longer works.", "info")
    return redirect(url_for("organiser.registration_invitations"))
