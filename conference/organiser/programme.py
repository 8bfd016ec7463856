"""The programme editor: the draft timetable, its sessions, rooms, tracks and speakers, and
publishing. The whole team reads the draft; organisers (MANAGE) change it."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, time

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user

from conference.extensions import db
from conference.local_time import to_local
from conference.organiser import blueprint
from conference.organiser.programme_forms import (
    OTHER,
    DeleteForm,
    PublishForm,
    RoomForm,
    SessionForm,
    SpeakerForm,
    TrackForm,
)
from conference.permissions import Permission, requires
from conference.refusals import on_refusal, refused_error
from conference.services.errors import NotFound
from conference.services.on_site import arrivals
from conference.services.programme import publishing, rooms_tracks_speakers, timetable
from conference.services.programme.rooms_tracks_speakers import (
    RoomDetails,
    SpeakerDetails,
    TrackDetails,
)
from conference.services.programme.timetable import Conflict, SessionDetails, SessionSpeakerDetails


def _clock(moment) -> str:
    """A stored UTC moment as the event's local HH:MM."""
    return to_local(moment, g.event.timezone).strftime("%H:%M")


def _found(lookup, object_id: int):
    try:
        return lookup(g.event, object_id)
    except NotFound:
        abort(404)


# --- the timetable ----------------------------------------------------------------------------


@blueprint.route("/programme", endpoint="programme")
@requires(Permission.VIEW)
def programme_page():
    days, outside = timetable.draft_timetable(g.event)
    return render_template(
        "organiser/programme/timetable.html",
        days=days,
        outside=outside,
        latest=publishing.latest_version(g.event),
        unpublished=publishing.has_unpublished_changes(g.event),
        publish_form=PublishForm(),
        clock=_clock,
    )


@blueprint.route("/programme/publish", methods=["POST"])
@requires(Permission.MANAGE)
def publish_programme():
    if not PublishForm().validate_on_submit():
        abort(400)
    on_refusal(lambda: redirect(url_for("organiser.programme")))
    version = publishing.publish(g.event, actor=current_user)
    db.session.commit()
    flash(f"Published version {version.number}: the public now sees this programme.", "success")
    return redirect(url_for("organiser.programme"))


# --- sessions ---------------------------------------------------------------------------------


def _session_form(**kwargs) -> SessionForm:
    return SessionForm(
        rooms=rooms_tracks_speakers.rooms_of(g.event),
        tracks=rooms_tracks_speakers.tracks_of(g.event),
        speakers=rooms_tracks_speakers.speakers_of(g.event),
        **kwargs,
    )


def _session_details(form: SessionForm) -> SessionDetails:
    return SessionDetails(
        title=form.title.data,
        kind=form.kind.data,
        day=form.day.data,
        starts=form.starts.data,
        ends=form.ends.data,
        abstract=form.abstract.data or "",
        room_id=form.room.data,
        track_id=form.track.data,
        capacity=form.capacity.data,
        parts=tuple(
            SessionSpeakerDetails(speaker_id, role) for speaker_id, role in form.chosen_parts()
        ),
    )


def _session_page(form, session=None, conflicts=(), status=200):
    """The session form; each refused conflict also marks its field."""
    for conflict in conflicts:
        field = getattr(form, conflict.field, None)
        if conflict.refused and field is not None and conflict.field != "parts":
            field.errors = [*field.errors, conflict.message]
    return render_template(
        "organiser/programme/session_form.html",
        form=form,
        session=session,
        signups=timetable.signup_counts(session) if session else None,
        attendance=arrivals.workshop_attendance(session) if session else [],
        refused=[c for c in conflicts if c.refused],
        warnings=[c for c in conflicts if not c.refused],
        delete_form=DeleteForm(),
    ), status


def _refused_session_page(form: SessionForm, session=None):
    """The form again with what refused it: its conflicts, or the one rule that said no."""
    error = refused_error()
    form.accept_warnings.data = False  # a warning is accepted for what it warned of, once
    conflicts = getattr(error, "conflicts", None) or [
        Conflict(error.message, error.field or "", refused=True)
    ]
    return _session_page(form, session, conflicts)


def _save_session(form: SessionForm, session=None):
    """Save the form's session, or show the form again with the conflicts beside the fields."""
    if not form.validate_on_submit():
        return _session_page(form, session, status=400)
    on_refusal(lambda: _refused_session_page(form, session), page_explains=True)
    saved = timetable.save_session(
        g.event,
        _session_details(form),
        actor=current_user,
        session=session,
        accept_warnings=form.accept_warnings.data,
    )
    db.session.commit()
    flash(f"“{saved.title}” is saved in the draft.", "success")
    return redirect(url_for("organiser.programme", _anchor=f"session-{saved.id}"))


@blueprint.route("/programme/sessions/new", methods=["GET", "POST"])
@requires(Permission.MANAGE)
def new_session():
    form = _session_form()
    if not form.is_submitted():  # started from an empty cell of the grid: its day, time, room
        form.day.data = _arg(request.args.get("day"), "date") or g.event.starts_on
        form.starts.data = _arg(request.args.get("starts"), "time")
        form.room.data = _arg(request.args.get("room"), "int")
        return _session_page(form)
    return _save_session(form)


def _arg(value, kind):
    try:
        if kind == "date":
            return date.fromisoformat(value)
        if kind == "time":
            return time.fromisoformat(value)
        return int(value)
    except (TypeError, ValueError):
        return None


@blueprint.route("/programme/sessions/<int:session_id>", methods=["GET", "POST"])
@requires(Permission.VIEW, to_change=Permission.MANAGE)
def edit_session(session_id: int):
    session = _found(timetable.session_by_id, session_id)
    if request.method == "POST":
        return _save_session(_session_form(), session)
    details = timetable.details_of(session)
    form = _session_form(
        data={
            **{k: getattr(details, k) for k in ("title", "kind", "day", "starts", "ends")},
            "abstract": details.abstract,
            "room": details.room_id,
            "track": details.track_id,
            "capacity": details.capacity,
            "parts": [{"speaker": str(p.speaker_id), "role": p.role} for p in details.parts],
        }
    )
    return _session_page(form, session)


@blueprint.route("/programme/sessions/<int:session_id>/delete", methods=["POST"])
@requires(Permission.MANAGE)
def delete_session(session_id: int):
    session = _found(timetable.session_by_id, session_id)
    if not DeleteForm().validate_on_submit():
        abort(400)
    title = session.title
    on_refusal(lambda: redirect(url_for("organiser.edit_session", session_id=session_id)))
    timetable.delete_session(session, actor=current_user)
    db.session.commit()
    flash(f"Deleted “{title}” from the draft.", "success")
    return redirect(url_for("organiser.programme"))


# --- rooms, tracks and speakers: a list, and a form for each -----------------------------------


@dataclass(frozen=True)
class SetupForm:
    """How the editor adds, edits and deletes one kind of the programme's setup: rooms, tracks
    or speakers, each with its own form and service calls."""

    lookup: Callable
    form: Callable[..., object]
    data_of: Callable[[object], dict]  # the form's fields as an existing one fills them
    details: Callable[[object], object]  # what the service is given from a sent form
    save: Callable
    delete: Callable
    list_endpoint: str


def _speaker_form(**kw) -> SpeakerForm:
    return SpeakerForm(organisations=[link.organisation for link in g.event.organisations], **kw)


def _speaker_data(speaker) -> dict:
    return {
        "name": speaker.name,
        "title": speaker.title,
        "organisation": str(speaker.organisation_id)
        if speaker.organisation_id
        else (OTHER if speaker.organisation_other else ""),
        "organisation_other": speaker.organisation_other,
        "bio": speaker.bio,
        "user_email": speaker.user.email if speaker.user else "",
    }


SETUP_FORMS = {
    "room": SetupForm(
        lookup=rooms_tracks_speakers.room_by_id,
        form=RoomForm,
        data_of=lambda room: {
            "name": room.name,
            "capacity": room.capacity,
            "position": room.position,
        },
        details=lambda form: RoomDetails(form.name.data, form.capacity.data, form.position.data),
        save=rooms_tracks_speakers.save_room,
        delete=rooms_tracks_speakers.delete_room,
        list_endpoint="organiser.rooms",
    ),
    "track": SetupForm(
        lookup=rooms_tracks_speakers.track_by_id,
        form=TrackForm,
        data_of=lambda track: {
            "name": track.name,
            "colour": track.colour,
            "description": track.description,
        },
        details=lambda form: TrackDetails(
            form.name.data, form.colour.data, form.description.data or ""
        ),
        save=rooms_tracks_speakers.save_track,
        delete=rooms_tracks_speakers.delete_track,
        list_endpoint="organiser.tracks",
    ),
    "speaker": SetupForm(
        lookup=rooms_tracks_speakers.speaker_by_id,
        form=_speaker_form,
        data_of=_speaker_data,
        details=lambda form: SpeakerDetails(
            name=form.name.data,
            title=form.title.data or "",
            organisation_id=form.organisation_id,
            organisation_other=form.organisation_other.data or "",
            bio=form.bio.data or "",
            user_email=form.user_email.data or "",
        ),
        save=rooms_tracks_speakers.save_speaker,
        delete=rooms_tracks_speakers.delete_speaker,
        list_endpoint="organiser.speakers",
    ),
}


def _edit(kind: str, object_id: int | None):
    """The add or edit form of a room, track or speaker."""
    setup = SETUP_FORMS[kind]
    obj = _found(setup.lookup, object_id) if object_id is not None else None
    template = f"organiser/programme/{kind}_form.html"
    context = {"obj": obj, "kind": kind, "delete_form": DeleteForm()}
    if request.method != "POST":
        form = setup.form(data=setup.data_of(obj)) if obj else setup.form()
        return render_template(template, form=form, **context)
    form = setup.form()
    if not form.validate_on_submit():
        return render_template(template, form=form, **context), 400
    on_refusal(lambda: render_template(template, form=form, **context), form)
    saved = setup.save(g.event, setup.details(form), actor=current_user, **{kind: obj})
    db.session.commit()
    flash(f"{saved.name} is saved.", "success")
    return redirect(url_for(setup.list_endpoint))


def _delete(kind: str, object_id: int):
    setup = SETUP_FORMS[kind]
    obj = _found(setup.lookup, object_id)
    if not DeleteForm().validate_on_submit():
        abort(400)
    name = obj.name
    on_refusal(lambda: redirect(url_for(f"organiser.edit_{kind}", **{f"{kind}_id": object_id})))
    setup.delete(obj, actor=current_user)
    db.session.commit()
    flash(f"Deleted {name}.", "success")
    return redirect(url_for(setup.list_endpoint))


@blueprint.route("/programme/rooms")
@requires(Permission.VIEW)
def rooms():
    return render_template(
        "organiser/programme/rooms.html", rooms=rooms_tracks_speakers.rooms_of(g.event)
    )


@blueprint.route("/programme/rooms/new", methods=["GET", "POST"])
@requires(Permission.MANAGE)
def new_room():
    return _edit("room", None)


@blueprint.route("/programme/rooms/<int:room_id>", methods=["GET", "POST"])
@requires(Permission.VIEW, to_change=Permission.MANAGE)
def edit_room(room_id: int):
    return _edit("room", room_id)


@blueprint.route("/programme/rooms/<int:room_id>/delete", methods=["POST"])
@requires(Permission.MANAGE)
def delete_room(room_id: int):
    return _delete("room", room_id)


@blueprint.route("/programme/tracks")
@requires(Permission.VIEW)
def tracks():
    return render_template(
        "organiser/programme/tracks.html", tracks=rooms_tracks_speakers.tracks_of(g.event)
    )


@blueprint.route("/programme/tracks/new", methods=["GET", "POST"])
@requires(Permission.MANAGE)
def new_track():
    return _edit("track", None)


@blueprint.route("/programme/tracks/<int:track_id>", methods=["GET", "POST"])
@requires(Permission.VIEW, to_change=Permission.MANAGE)
def edit_track(track_id: int):
    return _edit("track", track_id)


@blueprint.route("/programme/tracks/<int:track_id>/delete", methods=["POST"])
@requires(Permission.MANAGE)
def delete_track(track_id: int):
    return _delete("track", track_id)


@blueprint.route("/programme/speakers")
@requires(Permission.VIEW)
def speakers():
    return render_template(
        "organiser/programme/speakers.html", speakers=rooms_tracks_speakers.speakers_of(g.event)
    )


@blueprint.route("/programme/speakers/new", methods=["GET", "POST"])
@requires(Permission.MANAGE)
def new_speaker():
    return _edit("speaker", None)


@blueprint.route("/programme/speakers/<int:speaker_id>", methods=["GET", "POST"])
@requires(Permission.VIEW, to_change=Permission.MANAGE)
def edit_speaker(speaker_id: int):
    return _edit("speaker", speaker_id)


@blueprint.route("/programme/speakers/<int:speaker_id>/delete", methods=["POST"])
@requires(Permission.MANAGE)
def delete_speaker(speaker_id: int):
    return _delete("speaker", speaker_id)
