"""The whole published programme as an iCalendar feed, for anyone's calendar app."""

from flask import Response, abort, g

from conference.public.views import blueprint
from conference.services.programme import calendar
from conference.services.programme.publishing import published_programme


@blueprint.route("/<event_slug>/programme.ics")
def programme_feed():
    programme = published_programme(g.event)
    if programme is None:
        abort(404, description="The programme is not published yet.")
    response = Response(calendar.programme_calendar(g.event, programme), mimetype="text/calendar")
    response.headers["Content-Disposition"] = f'inline; filename="{g.event.slug}-programme.ics"'
    response.headers["Cache-Control"] = "public, max-age=300"
    return response
