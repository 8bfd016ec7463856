"""What anyone may see: the events and their public pages. Never a participant's data."""

from flask import Blueprint, g, redirect, render_template, url_for
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
from conference.public import calendar_feed, programme  # noqa: E402, F401
