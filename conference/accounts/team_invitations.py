"""The invitee's side of a team invitation: open the emailed link, log in, accept."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from conference.accounts.forms import AcceptInvitationForm
from conference.accounts.views import blueprint
from conference.extensions import db
from conference.models import TeamRole
from conference.permissions import ROLES_NEEDING_TWO_FACTOR, Permission, permissions_of
from conference.refusals import on_refusal, refused_error
from conference.services.people import team


def _page(status=200, **context):
    return render_template(
        "accounts/team_invitation.html",
        roles_needing_two_factor=ROLES_NEEDING_TWO_FACTOR,
        **context,
    ), status


def _problem_page():
    """A link that no longer works (or never did), and why."""
    return _page(problem=refused_error().message)


@blueprint.route("/invitations/<token>", methods=["GET", "POST"])
def team_invitation(token: str):
    on_refusal(_problem_page, page_explains=True)
    invitation = team.invitation_for_token(token)
    if not current_user.is_authenticated:
        if request.method == "POST":
            return redirect(url_for("accounts.login", next=request.path))
        return _page(invitation=invitation, next_url=request.path)
    if not team.is_for(invitation, current_user):
        return _page(403, invitation=invitation, wrong_address=True)
    form = AcceptInvitationForm()
    if not form.validate_on_submit():
        return _page(400 if form.errors else 200, invitation=invitation, form=form)
    member = team.accept_invitation(token, current_user._get_current_object())
    db.session.commit()
    event = invitation.event
    flash(
        f"Welcome to the team of {event.short_name}, as {TeamRole(member.role).label}.", "success"
    )
    if Permission.VIEW in permissions_of(current_user, event):
        return redirect(url_for("organiser.registrations", event_slug=event.slug))
    return redirect(url_for("accounts.home"))
