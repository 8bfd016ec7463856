"""The registration list, one registration's page, and the decisions on it."""

from functools import wraps

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user

from conference.extensions import db
from conference.models import RegistrationStatus
from conference.organiser import blueprint
from conference.organiser.forms import DecisionForm, RegistrationFilterForm, RejectForm
from conference.permissions import Permission, requires
from conference.services import audit, registration_list, registrations
from conference.services.errors import DomainError

PAGE_SIZE = 50


def _registration_or_404(reference: str):
    registration = registration_list.registration_by_reference(g.event, reference)
    if registration is None:
        abort(404)
    return registration


@blueprint.route("/registrations")
@requires(Permission.VIEW)
def registrations_list():
    form = RegistrationFilterForm(request.args)
    if not form.validate():
        abort(400)
    page = db.paginate(
        registration_list.registrations_query(
            g.event,
            registration_list.RegistrationFilter(
                q=form.q.data or "", status=form.status.data or ""
            ),
        ),
        per_page=PAGE_SIZE,
        max_per_page=PAGE_SIZE,
    )
    counts = registration_list.status_counts(g.event)
    return render_template(
        "organiser/registrations.html",
        form=form,
        page=page,
        counts=counts,
        seats_left=registrations.seats_left(g.event, counts.get(RegistrationStatus.APPROVED, 0)),
    )


def _detail_page(registration, reject_form=None, status=200):
    return render_template(
        "organiser/registration.html",
        registration=registration,
        history=audit.history_of(registration),
        decision_form=DecisionForm(),
        reject_form=reject_form or RejectForm(),
        seats_left=registrations.seats_left(g.event),
    ), status


@blueprint.route("/registrations/<reference>")
@requires(Permission.VIEW)
def registration_detail(reference: str):
    return _detail_page(_registration_or_404(reference))


def _decision(view):
    """Run one decision on a registration: commit and say so, or show the refusal."""

    @wraps(view)
    def wrapper(reference: str):
        registration = _registration_or_404(reference)
        try:
            outcome = view(registration)
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "danger")
            return _detail_page(registration, status=error.status_code)
        if not isinstance(outcome, str):  # the form was refused: a page to show
            return outcome
        db.session.commit()
        flash(outcome, "success")
        return redirect(url_for("organiser.registration_detail", reference=reference))

    return wrapper


@blueprint.route("/registrations/<reference>/approve", methods=["POST"])
@requires(Permission.DECIDE)
@_decision
def approve(registration):
    registrations.approve_registration(registration, organiser=current_user)
    return f"{registration.user.name} is approved and will be told by email."


@blueprint.route("/registrations/<reference>/waitlist", methods=["POST"])
@requires(Permission.DECIDE)
@_decision
def waitlist(registration):
    registrations.waitlist_registration(registration, organiser=current_user)
    return f"{registration.user.name} is on the waiting list and will be told by email."


@blueprint.route("/registrations/<reference>/reject", methods=["POST"])
@requires(Permission.DECIDE)
@_decision
def reject(registration):
    form = RejectForm()
    if not form.validate_on_submit():
        return _detail_page(registration, reject_form=form, status=400)
    registrations.reject_registration(registration, organiser=current_user, reason=form.reason.data)
    return f"{registration.user.name} is rejected and will be told by email."
