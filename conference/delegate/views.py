"""The delegate's side: register for an event, see the status, edit while pending, cancel."""

from functools import partial

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from conference.delegate.forms import (
    OTHER_ORGANISATION,
    CancelRegistrationForm,
    NewRegistrationForm,
    RegistrationForm,
)
from conference.event_context import attach_event
from conference.extensions import db
from conference.models import Registration
from conference.services.errors import (
    AlreadyRegistered,
    DomainError,
    InvalidToken,
    InvitationRequired,
)
from conference.services.registration import registration_invitations, workflow
from conference.services.registration.workflow import RegistrationDetails

blueprint = Blueprint("delegate", __name__, url_prefix="/<event_slug>")
attach_event(blueprint)


def _organisations():
    return [link.organisation for link in g.event.organisations]


def _details(form: RegistrationForm) -> RegistrationDetails:
    chosen = form.organisation.data
    organisation = None
    if chosen != OTHER_ORGANISATION:
        organisation = next(o for o in _organisations() if str(o.id) == chosen)
    return RegistrationDetails(
        organisation=organisation,
        organisation_other=form.organisation_other.data,
        country=form.country.data,
        job_title=form.job_title.data,
        dietary_needs=form.dietary_needs.data or "",
        accessibility_needs=form.accessibility_needs.data or "",
        invitation_letter_needed=form.invitation_letter_needed.data == "yes",
        consent_participant_list=form.consent_participant_list.data,
    )


def _own_registration() -> Registration:
    registration = workflow.registration_for(g.event, current_user)
    if registration is None:
        abort(404)
    return registration


@blueprint.route("/register", methods=["GET", "POST"])
@login_required
def register():
    if workflow.registration_for(g.event, current_user) is not None:
        return redirect(url_for("delegate.registration"))
    form = NewRegistrationForm(
        organisations=_organisations(), invitation_only=g.event.invitation_only
    )
    if not form.is_submitted() and request.args.get("code"):  # the invitation email's link
        form.invitation_code.data = request.args["code"].strip()[:40]
    invitation = (
        registration_invitations.open_invitation(g.event, form.invitation_code.data)
        if form.invitation_code.data
        else None
    )
    if invitation and not form.is_submitted():
        form.country.data = invitation.country
    page = partial(
        render_template,
        "delegate/register.html",
        form=form,
        window_notice=workflow.registration_window_notice(g.event),
        invitation=invitation,
    )
    if form.validate_on_submit():
        try:
            workflow.submit_registration(
                g.event,
                current_user,
                _details(form),
                invitation_code=form.invitation_code.data or None,
            )
        except AlreadyRegistered:  # a second click of the same form
            db.session.rollback()
            return redirect(url_for("delegate.registration"))
        except (InvalidToken, InvitationRequired) as error:
            db.session.rollback()
            form.invitation_code.errors = [error.message]
            return page(), error.status_code
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "danger")
            return page(), error.status_code
        db.session.commit()
        flash("Thank you: your registration is in. We have sent you a confirmation.", "success")
        return redirect(url_for("delegate.registration"))
    return page(), 400 if form.errors else 200


@blueprint.route("/registration")
@login_required
def registration():
    registration = workflow.registration_for(g.event, current_user)
    if registration is None:
        return redirect(url_for("delegate.register"))
    return render_template("delegate/registration.html", registration=registration)


@blueprint.route("/registration/edit", methods=["GET", "POST"])
@login_required
def edit_registration():
    registration = _own_registration()
    if not registration.allows("edit"):
        flash("Your registration can no longer be changed. Write to the organisers.", "warning")
        return redirect(url_for("delegate.registration"))
    form = RegistrationForm(obj=registration, organisations=_organisations())
    if not form.is_submitted():
        form.organisation.data = (
            str(registration.organisation_id)
            if registration.organisation_id
            else OTHER_ORGANISATION
        )
        form.invitation_letter_needed.data = (
            "yes" if registration.invitation_letter_needed else "no"
        )
    if form.validate_on_submit():
        try:
            workflow.update_registration(registration, _details(form), actor=current_user)
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "danger")
            return redirect(url_for("delegate.registration"))
        db.session.commit()
        flash("Your changes are saved.", "success")
        return redirect(url_for("delegate.registration"))
    return render_template(
        "delegate/register.html", form=form, registration=registration
    ), 400 if form.errors else 200


@blueprint.route("/registration/cancel", methods=["GET", "POST"])
@login_required
def cancel_registration():
    registration = _own_registration()
    if not registration.allows("cancel"):
        flash("This registration cannot be cancelled.", "warning")
        return redirect(url_for("delegate.registration"))
    form = CancelRegistrationForm()
    if form.validate_on_submit():
        try:
            workflow.cancel_registration(registration, actor=current_user)
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "danger")
            return redirect(url_for("delegate.registration"))
        db.session.commit()
        flash("Your registration is cancelled. We have sent you a confirmation.", "info")
        return redirect(url_for("public.event", event_slug=g.event.slug))
    return render_template("delegate/cancel.html", form=form, registration=registration)


from conference.delegate import agenda  # noqa: E402, F401
