"""My agenda: the delegate's two days, workshop sign-up, and the private calendar link."""

from flask import Response, abort, current_app, flash, g, redirect, render_template, url_for
from flask_login import current_user, login_required

from conference.delegate.forms import BACK_TO_SESSION, WorkshopPlaceForm
from conference.delegate.views import blueprint
from conference.extensions import db
from conference.models import Registration, RegistrationStatus, SignupStatus
from conference.public.programme import session_page
from conference.refusals import on_refusal, refused_error
from conference.services.errors import NotAllowed
from conference.services.links import absolute_url
from conference.services.programme import calendar, workshops
from conference.services.programme.agenda import agenda_of
from conference.services.programme.publishing import published_programme
from conference.services.registration import workflow


def _registration() -> Registration | None:
    return workflow.registration_for(g.event, current_user)


def _own_registration() -> Registration:
    """The delegate's registration, for a service that decides what its status allows."""
    registration = _registration()
    if registration is None:
        raise NotAllowed(
            "Workshops and the calendar link are for delegates with an approved registration."
        )
    return registration


def _feed_url(registration: Registration) -> str:
    return absolute_url(
        "delegate.agenda_feed",
        event_slug=g.event.slug,
        reference=registration.reference,
        token=calendar.feed_token(registration, secret=current_app.config["SECRET_KEY"]),
    )


def _agenda_page(status: int = 200):
    registration = _registration()
    programme = published_programme(g.event)
    approved = registration is not None and registration.status == RegistrationStatus.APPROVED
    agenda = agenda_of(registration, programme) if approved and programme else None
    return render_template(
        "delegate/agenda.html",
        registration=registration,
        programme=programme,
        agenda=agenda,
        feed_url=_feed_url(registration) if approved else None,
    ), status


def _back_to_agenda(anchor: str = ""):
    return redirect(url_for("delegate.agenda") + anchor)


@blueprint.route("/agenda")
@login_required
def agenda():
    return _agenda_page()


def _change(action, success, anchor: str = "#workshops", on_session_page: int | None = None):
    """Run one agenda change: commit and redirect, or show why not on the page.

    The page is My agenda, or the workshop's own page (`on_session_page`, its id) when the
    button was pressed there. The buttons' forms carry the CSRF token, which CSRFProtect checks
    before the view, and at most the page to go back to.
    """

    def back(to_anchor: str):
        if on_session_page is not None:
            return redirect(url_for("public.session", session_id=on_session_page))
        return _back_to_agenda(to_anchor)

    def refused_page():
        if refused_error().news:  # a double click: the first one did it
            return back("#workshops")
        if on_session_page is not None:
            return session_page(on_session_page)
        return _agenda_page()

    on_refusal(refused_page)
    result = action()
    message = success(result) if callable(success) else success
    db.session.commit()
    flash(message, "success")
    return back(anchor)


def _pressed_on_session_page(session_id: int) -> int | None:
    """The workshop's id when its button was pressed on the workshop's own page."""
    form = WorkshopPlaceForm()
    if not form.validate_on_submit():
        abort(400)
    return session_id if form.back.data == BACK_TO_SESSION else None


def _signed_up(signup) -> str:
    title = workshops.title_for_delegates(signup)
    if signup.status == SignupStatus.CONFIRMED:
        return f"You have a place in “{title}”. We have sent you a confirmation."
    return (
        f"“{title}” is full: you are on its waiting list. If a place frees up, "
        "it is yours in turn, and we tell you by email."
    )


@blueprint.route("/agenda/workshops/<int:session_id>", methods=["POST"])
@login_required
def sign_up_for_workshop(session_id: int):
    return _change(
        lambda: workshops.sign_up(_own_registration(), session_id, actor=current_user),
        _signed_up,
        on_session_page=_pressed_on_session_page(session_id),
    )


@blueprint.route("/agenda/workshops/<int:session_id>/leave", methods=["POST"])
@login_required
def leave_workshop(session_id: int):
    return _change(
        lambda: workshops.leave(_own_registration(), session_id, actor=current_user),
        lambda signup: (
            f"You are no longer signed up for “{workshops.title_for_delegates(signup)}”."
        ),
        on_session_page=_pressed_on_session_page(session_id),
    )


@blueprint.route("/agenda/calendar-link", methods=["POST"])
@login_required
def renew_calendar_link():
    return _change(
        lambda: calendar.renew_feed_link(_own_registration(), actor=current_user),
        "Here is your new calendar link. The old one no longer works: subscribe to the new "
        "one in your calendar app.",
        anchor="#calendar",
    )


@blueprint.route("/agenda/<reference>/<token>.ics")
def agenda_feed(reference: str, token: str):
    """The personal calendar feed: no log-in, the private link is the key."""
    registration = calendar.registration_for_feed(
        g.event, reference, token, secret=current_app.config["SECRET_KEY"]
    )
    programme = published_programme(g.event) if registration else None
    if programme is None:
        abort(404)
    body = calendar.agenda_calendar(g.event, registration, agenda_of(registration, programme))
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = f'inline; filename="{g.event.slug}-agenda.ics"'
    # Personal: never kept by a shared cache, and the link never leaks through a Referer.
    response.headers["Cache-Control"] = "no-store"  # one delegate's agenda: kept nowhere
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Robots-Tag"] = "noindex"
    return response
