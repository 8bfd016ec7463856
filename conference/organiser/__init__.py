"""The back office of one event: for its team, each member by the permissions of their role.

One blueprint; each area of the back office is a module of its own that adds its routes to it.
"""

from flask import Blueprint, abort, flash, g, redirect, request, url_for
from flask_login import current_user

from conference.event_context import attach_event
from conference.extensions import login_manager
from conference.permissions import Permission, needs_two_factor, permissions_of

blueprint = Blueprint("organiser", __name__, url_prefix="/<event_slug>/organiser")
attach_event(blueprint)


@blueprint.before_request
def require_team_member():
    """Every method, OPTIONS and HEAD included: log in, belong to this event's team, and for
    the roles that see delegates' data, have two-factor log-in on. Each view then asks for its
    permission."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if not permissions_of(current_user, g.event) & {Permission.VIEW, Permission.DECIDE}:
        abort(403)
    if needs_two_factor(current_user, g.event):
        flash("Set up two-factor log-in to open the back office.", "info")
        return redirect(url_for("accounts.two_factor_setup", next=request.full_path.rstrip("?")))


# The areas, each adding its routes to the blueprint above.
from conference.organiser import (  # noqa: E402, F401
    audit_log,
    bulk,
    dashboard,
    deliveries,
    email_templates,
    exports,
    letters,
    messages,
    on_site,
    programme,
    registration_invitations,
    registrations,
    settings,
    tags,
    team,
)
