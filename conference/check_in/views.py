"""The check-in desk: the page, what a scan does, the offline copy, and the sync of what a desk
recorded while the network was down."""

import hashlib
from functools import cache
from pathlib import Path

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from conference.check_in.forms import ScanForm
from conference.event_context import attach_event
from conference.extensions import db, login_manager
from conference.permissions import Permission, needs_two_factor, requires
from conference.refusals import on_refusal
from conference.services.on_site import check_in, desk_copy, desk_sync

blueprint = Blueprint("check_in", __name__, url_prefix="/<event_slug>/check-in")
attach_event(blueprint)

# The desk may use the phone's camera to read badges; every other page may not.
DESK_PERMISSIONS = "camera=(self), microphone=(), geolocation=()"
# The files the desk's service worker keeps, beside the desk page itself.
DESK_FILES = (
    "css/bootstrap.min.css",
    "css/app.css",
    "css/desk.css",
    "js/bootstrap.bundle.min.js",
    "js/app.js",
    "js/desk.js",
    "vendor/jsQR.js",
    "img/favicon.svg",
)


@blueprint.before_request
def require_check_in_staff():
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if needs_two_factor(current_user, g.event):  # an organiser: as for the back office
        flash("Set up two-factor log-in to open the check-in desk.", "info")
        return redirect(url_for("accounts.two_factor_setup", next=request.full_path.rstrip("?")))


@blueprint.after_request
def allow_the_camera(response):
    response.headers["Permissions-Policy"] = DESK_PERMISSIONS
    return response


def _desk_page(form=None, answer=None, status=200, *, door=None, query=None):
    door = door or check_in.door_at(g.event, request.args.get("session", type=int))
    query = request.args.get("q", "").strip() if query is None else query
    form = form or ScanForm(formdata=None, session=door.session.id if door.session else None)
    page = render_template(
        "check_in/desk.html",
        form=form,
        door=door,
        doors=check_in.doors(g.event),
        answer=answer,
        query=query,
        found=desk_copy.search(g.event, query),
        batch=desk_sync.MAX_BATCH,
    )
    return page, status


def _at_the_entrance():
    """The desk's page when the session it stood at is not (or no longer) one of the event's."""
    return _desk_page(door=check_in.Door())


@blueprint.route("/")
@requires(Permission.CHECK_IN)
def desk():
    on_refusal(_at_the_entrance)
    return _desk_page()


@blueprint.route("/", methods=["POST"])
@requires(Permission.CHECK_IN)
def scan_badge():
    on_refusal(_at_the_entrance)
    form = ScanForm()
    if not form.validate_on_submit():
        return _desk_page(form, status=400)
    door = check_in.door_at(g.event, form.session.data)
    if not check_in.is_a_code(form.code.data):  # a name, typed: who is called so
        return _desk_page(door=door, query=form.code.data)
    answer = check_in.scan(g.event, form.code.data, actor=current_user, door=door)
    db.session.commit()
    form = ScanForm(formdata=None, session=form.session.data)
    return _desk_page(form, answer, 409 if answer.refused else 200, door=door)


@blueprint.route("/copy.json")
@requires(Permission.CHECK_IN)
def offline_copy():
    """The desk's copy for working offline, with a fresh token for its next sync."""
    return {**desk_copy.desk_copy(g.event), "csrf_token": generate_csrf()}


@blueprint.route("/sync", methods=["POST"])
@requires(Permission.CHECK_IN)
def sync_check_ins():
    """A batch of check-ins a desk recorded: {"desk": name, "items": [...]}; an answer for each."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return jsonify(error="Send a JSON object with the check-ins in “items”.", status=400), 400
    desk_name = body.get("desk") if isinstance(body.get("desk"), str) else ""
    answers = desk_sync.sync(g.event, body.get("items"), actor=current_user, desk=desk_name[:60])
    db.session.commit()
    return {"answers": answers}


@blueprint.route("/service-worker.js")
@requires(Permission.CHECK_IN)
def service_worker():
    """The script that keeps the desk page and its files for when the network drops. Served
    from the desk's own path, so that its scope is the desk and nothing else."""
    version = files_version(current_app.static_folder)
    script = render_template("check_in/service-worker.js", files=DESK_FILES, version=version)
    return (
        script,
        200,
        {"Content-Type": "text/javascript; charset=utf-8", "Cache-Control": "no-cache"},
    )


@cache
def files_version(static_folder: str) -> str:
    """A hash of the files the service worker keeps, once per process: the name of its cache,
    so that a desk gets the files of a new release on its next visit online."""
    digest = hashlib.sha256()
    for name in DESK_FILES:
        digest.update(name.encode() + b"\0" + (Path(static_folder) / name).read_bytes())
    return digest.hexdigest()[:16]
