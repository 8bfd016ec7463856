"""The public programme: the timetable, a page per session and per speaker, and the exports.

Everything here reads the published snapshot
(`services.programme.publishing.published_programme`, through
`services.programme.published_cache`), never the live rows the organisers edit: a draft stays
invisible until it is published.
"""

import re

from flask import Response, abort, current_app, g, render_template, request
from flask import session as cookie_session
from flask_login import current_user
from markupsafe import Markup

from conference.delegate.forms import BACK_TO_SESSION
from conference.public.timetable import day_grid, day_list
from conference.public.views import blueprint
from conference.services.programme import schedule_export
from conference.services.programme.agenda import workshop_place
from conference.services.programme.published_cache import current_programme, version_cache
from conference.services.programme.publishing import Programme
from conference.services.registration import workflow

_INDENTATION = re.compile(r"\n\s+")


def _published() -> Programme:
    return current_programme(g.event)[0] or abort(404)


def _chosen_track(programme: Programme) -> int | None:
    """The `?track=` filter: a track of this programme, or none; anything else is a 404."""
    raw = request.args.get("track", "")
    if not raw:
        return None
    is_id = raw.isascii() and raw.isdigit() and len(raw) <= 9
    track = programme.track(int(raw)) if is_id else None
    if track is None:
        abort(404, description="There is no such track in the programme.")
    return track.id


def _render_timetable(published: Programme, track_id: int | None) -> str:
    days = [
        {
            "date": day,
            "grid": day_grid(published, day, track_id),
            "list": day_list(published, day, track_id),
        }
        for day in published.days
    ]
    html = render_template(
        "public/programme/_timetable.html", programme=published, days=days, track_id=track_id
    )
    # The indentation is a quarter of the page's bytes, and nothing in it is preformatted.
    return _INDENTATION.sub("\n", html)


@blueprint.route("/<event_slug>/programme")
def programme():
    published, version_key = current_programme(g.event)
    if published is None:
        return render_template("public/programme/not_published.html")
    track_id = _chosen_track(published)

    # The timetable is the same for everyone who sees this version: most of the page's cost,
    # rendered once per version and track. Only the menu depends on who is looking.
    def timetable() -> Markup:
        return Markup(_render_timetable(published, track_id))  # noqa: S704 (escaped by Jinja)

    def page() -> str:
        return render_template(
            "public/programme/programme.html", timetable=timetables.get(key, timetable)
        )

    timetables = version_cache("timetables")
    key = (version_key, g.event.slug, request.script_root, track_id)
    if _seen_as_any_visitor():
        # The same page for every visitor, until the programme or the event's names in the
        # menu and footer change; kept encoded, as it is sent.
        around = (g.event.name, g.event.short_name, g.event.city)
        return version_cache("anonymous_pages").get((key, around), lambda: page().encode())
    return page()


def _seen_as_any_visitor() -> bool:
    """No one logged in and no message waiting: the page is the one every visitor gets."""
    # A request without cookies has no session and no remembered log-in, so Flask-Login need
    # not be asked who is there: its answer (it hashes the address and browser for the
    # session's protection) costs more than the rest of the kept page.
    if not request.cookies:
        return True
    return current_user.is_anonymous and not cookie_session


@blueprint.route("/<event_slug>/programme/sessions/<int:session_id>")
def session(session_id: int):
    return session_page(session_id)


def session_page(session_id: int, status: int = 200):
    """A session's page. A workshop's shows each visitor their own way to a place: the sign-up
    buttons and their place for an approved delegate, how to get there for anyone else.

    Rendered for each request, never kept: it can carry one delegate's place.
    """
    published = _published()
    found = published.session(session_id) or abort(404)
    registration = (
        workflow.registration_for(g.event, current_user)
        if found.needs_signup and current_user.is_authenticated
        else None
    )
    return render_template(
        "public/programme/session.html",
        programme=published,
        session=found,
        registration=registration,
        place=workshop_place(registration, published, found.id),
        back=BACK_TO_SESSION,
    ), status


@blueprint.route("/<event_slug>/programme/speakers/<int:speaker_id>")
def speaker(speaker_id: int):
    published = _published()
    found = published.speaker(speaker_id) or abort(404)
    return render_template(
        "public/programme/speaker.html",
        programme=published,
        speaker=found,
        sessions=published.sessions_of(speaker_id),
    )


def _schedule(render, mimetype: str) -> Response:
    """An export of the published programme, made once per version (and base URL)."""
    published, version_key = current_programme(g.event)
    if published is None:
        abort(404)

    def make() -> str:
        return render(published, g.event)

    key = (version_key, g.event.slug, current_app.config["BASE_URL"], render.__name__)
    body = version_cache("schedules").get(key, make)
    return Response(body, mimetype=mimetype)


@blueprint.route("/<event_slug>/schedule.json")
def schedule_json():
    return _schedule(schedule_export.schedule_json, "application/json")


@blueprint.route("/<event_slug>/schedule.xml")
def schedule_xml():
    return _schedule(schedule_export.schedule_xml, "application/xml")
