"""The delegate's side: register for an event, see the status, change it (everything while
pending, the needs once approved), cancel."""

from functools import partial

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required

from conference.delegate.forms import (
    CancelRegistrationForm,
    ConsentForm,
    LetterDetailsForm,
    NewRegistrationForm,
    registration_form_class,
)
from conference.downloads import attachment
from conference.event_context import attach_event
from conference.extensions import db, limiter
from conference.models import Registration
from conference.refusals import on_refusal, refused_error
from conference.services.errors import (
    AlreadyRegistered,
)
from conference.services.on_site import badge_pdf, certificates, visa_letters
from conference.services.privacy import notices
from conference.services.registration import fields, registration_invitations, workflow

blueprint = Blueprint("delegate", __name__, url_prefix="/<event_slug>")
attach_event(blueprint)


def _organisations():
    return [link.organisation for link in g.event.organisations]


def _own_registration() -> Registration:
    registration = workflow.registration_for(g.event, current_user)
    if registration is None:
        abort(404)
    return registration


def _to_the_registration():
    return redirect(url_for("delegate.registration"))


# Before registering, the version of the privacy notice a delegate read is kept in their
# session, by event (`privacy.read_privacy_notice`); the registration then stores it.
READ_IN_SESSION = "privacy_notice_read"


def notice_read_before_registering() -> int | None:
    return session.get(READ_IN_SESSION, {}).get(str(g.event.id))


def _registered_already() -> bool:
    """The refusal is of a second registration (a second click of the same form, say)."""
    return isinstance(refused_error(), AlreadyRegistered)


def invitation_code_rate_limit() -> str:
    return current_app.config["INVITATION_CODE_RATE_LIMIT"]


def _no_invitation_code() -> bool:
    """Only a request that tries a code counts: the email's link, or the form sent with one."""
    return not (request.args.get("code") or request.form.get("invitation_code"))


def _account() -> str:
    return current_user.get_id() if current_user.is_authenticated else request.remote_addr or ""


@blueprint.route("/register", methods=["GET", "POST"])
# Codes are not to be guessed, from one address or from one account over many.
@limiter.limit(invitation_code_rate_limit, exempt_when=_no_invitation_code)
@limiter.limit(invitation_code_rate_limit, exempt_when=_no_invitation_code, key_func=_account)
@login_required
def register():
    on_refusal(_to_the_registration)
    workflow.refuse_a_second_registration(g.event, current_user)
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
    notice_read = notice_read_before_registering()
    if not form.is_submitted() and notices.needs_reading(g.event, notice_read):
        return redirect(url_for("delegate.privacy_notice", code=form.invitation_code.data or None))
    page = partial(
        render_template,
        "delegate/register.html",
        form=form,
        window_notice=workflow.registration_window_notice(g.event),
        invitation=invitation,
        notice=notices.current_notice(g.event),
    )
    if form.validate_on_submit():
        on_refusal(lambda: _to_the_registration() if _registered_already() else page(), form)
        workflow.submit_registration(
            g.event,
            current_user,
            form.details(),
            invitation_code=form.invitation_code.data or None,
            notice_read=notice_read,
        )
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
    return _registration_page(registration)


def _registration_page(registration: Registration, letter_form: LetterDetailsForm | None = None):
    letter_request = visa_letters.letter_request_of(registration)
    return render_template(
        "delegate/registration.html",
        registration=registration,
        certificate=certificates.certificate_available(registration),
        letter_request=letter_request,
        letter_form=letter_form
        or LetterDetailsForm(formdata=None, obj=letter_request and letter_request.valid),
        letter_wording_missing=visa_letters.missing_wording(g.event),
        notice_change=notices.unread_change(registration),
        consent_form=ConsentForm(formdata=None),
    )


@blueprint.route("/registration/letter", methods=["POST"])
@login_required
def give_letter_details():
    registration = _own_registration()
    form = LetterDetailsForm()
    if not form.validate_on_submit():
        return _registration_page(registration, letter_form=form), 400
    on_refusal(lambda: _registration_page(registration, letter_form=form), form)
    letter = visa_letters.give_details(registration, form.details(), actor=current_user)
    db.session.commit()
    flash(f"Your details are saved: invitation letter {letter.reference} is ready.", "success")
    return redirect(url_for("delegate.registration", _anchor="visa-letter"))


@blueprint.route("/registration/letter.pdf")
@login_required
def visa_letter():
    registration = _own_registration()
    on_refusal(lambda: _registration_page(registration))
    pdf = visa_letters.delegate_download(registration)
    db.session.commit()  # the download, counted for the organisers
    return attachment(pdf, f"{g.event.slug}-invitation-letter-{registration.reference}.pdf")


@blueprint.route("/registration/certificate.pdf")
@login_required
def certificate():
    registration = _own_registration()
    on_refusal(lambda: _registration_page(registration))
    pdf = certificates.certificate_pdf(registration)
    return attachment(pdf, f"{g.event.slug}-certificate-{registration.reference}.pdf")


@blueprint.route("/registration/badge.pdf")
@login_required
def badge():
    """The delegate's own badge, to print at home; once approved."""
    registration = _own_registration()
    on_refusal(lambda: _registration_page(registration))
    printed = badge_pdf.own_badge(registration, actor=current_user)
    db.session.commit()  # the badge, issued the first time it is asked for
    return attachment(printed.content, printed.filename)


@blueprint.route("/registration/edit", methods=["GET", "POST"])
@login_required
def edit_registration():
    registration = _own_registration()
    changeable = fields.changeable_now(registration)
    if not changeable:
        flash("Your registration can no longer be changed. Write to the organisers.", "warning")
        return redirect(url_for("delegate.registration"))
    form = registration_form_class(changeable)(obj=registration, organisations=_organisations())
    if not form.is_submitted():
        form.fill_from(registration)
    elif form.offered_other_fields:
        flash(
            "Your registration was decided while you were changing it, and nothing was saved. "
            "Here is what you can still change.",
            "warning",
        )
        return redirect(url_for("delegate.edit_registration"))
    if form.validate_on_submit():
        on_refusal(_to_the_registration)
        workflow.update_registration(registration, form.details(), actor=current_user)
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
        on_refusal(_to_the_registration)
        workflow.cancel_registration(registration, actor=current_user)
        db.session.commit()
        flash("Your registration is cancelled. We have sent you a confirmation.", "info")
        return redirect(url_for("public.event", event_slug=g.event.slug))
    return render_template("delegate/cancel.html", form=form, registration=registration)


from conference.delegate import agenda, privacy  # noqa: E402, F401
