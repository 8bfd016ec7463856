"""The dashboard: the event's registrations at a glance."""

from flask import g, render_template

from conference.organiser import blueprint
from conference.permissions import Permission, requires
from conference.services.registration.dashboard import dashboard_for


@blueprint.route("/")
@requires(Permission.VIEW)
def dashboard():
    return render_template("organiser/dashboard.html", dashboard=dashboard_for(g.event))
