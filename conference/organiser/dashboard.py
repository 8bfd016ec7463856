"""The dashboard: the event's registrations at a glance, and the emails that did not arrive."""

from flask import g, render_template

from conference.organiser import blueprint
from conference.permissions import Permission, requires
from conference.services.mail import deliveries
from conference.services.registration.dashboard import dashboard_for


@blueprint.route("/")
@requires(Permission.VIEW)
def dashboard():
    return render_template(
        "organiser/dashboard.html",
        dashboard=dashboard_for(g.event),
        failed_emails=deliveries.failed_count(g.event),
    )
