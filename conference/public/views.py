"""What anyone may see: the events and their public pages. Never a participant's data."""

from flask import Blueprint, current_app, g, redirect, render_template, send_from_directory, url_for
from flask_login import current_user

from conference.event_context import attach_event
from conference.models import utcnow
from conference.services.events.finding import all_events
from conference.services.registration import workflow

blueprint = Blueprint("public", __name__)
attach_event(blueprint)


@blueprint.route("/")
def index():
    events = all_events()
    if len(events) == 1:
        return redirect(url_for("public.event", event_slug=events[0].slug))
    return render_template("public/index.html", events=events)


@blueprint.route("/favicon.ico")
def favicon():
    """Browsers ask for /favicon.ico whatever a page links to: the SVG icon drawn at 16, 32 and
    48 pixels (static/img/favicon.ico)."""
    return send_from_directory(current_app.static_folder, "img/favicon.ico", max_age=86400)


@blueprint.route("/<event_slug>")
def event_without_slash():
    """An event's address typed without its slash. Declared, so that an address with no page
    (/robots.txt, /anything) is a 404 at once rather than a redirect to a 404 at /anything/."""
    return redirect(url_for("public.event"))


@blueprint.route("/<event_slug>/")
def event():
    own_registration = (
        workflow.registration_for(g.event, current_user) if current_user.is_authenticated else None
    )
    return render_template(
        "public/event.html",
        event=g.event,
        registration_open=g.event.registration_open_at(utcnow()),
        window_notice=workflow.registration_window_notice(g.event),
        own_registration=own_registration,
    )


# The programme's pages and feeds add their routes to this blueprint.
from conference.public import calendar_feed, letters, programme  # noqa: E402, F401
