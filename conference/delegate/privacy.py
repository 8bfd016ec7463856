"""The delegate's privacy: reading the event's notice, giving and withdrawing consents, and the
participant directory of the approved delegates."""

from flask import abort, flash, g, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required

from conference.delegate.forms import ConsentForm, ReadNoticeForm
from conference.delegate.views import READ_IN_SESSION, blueprint, notice_read_before_registering
from conference.extensions import db
from conference.services.privacy import consents, notices
from conference.services.privacy.directory import (
    LONGEST_SEARCH,
    listed_delegates,
    require_directory_reader,
)
from conference.services.registration import fields, workflow


@blueprint.route("/privacy")
def privacy_notice():
    """The notice in force, for anyone to read; a delegate says here that they read it."""
    notice = notices.current_notice(g.event)
    if notice is None:  # the footer links here all the same
        return render_template("delegate/privacy_notice.html", notice=None)
    registration, read = None, None
    if current_user.is_authenticated:
        registration = workflow.registration_for(g.event, current_user)
        read = (
            registration.privacy_notice_version
            if registration
            else notice_read_before_registering()
        )
    return render_template(
        "delegate/privacy_notice.html",
        notice=notice,
        parts=[(notices.HEADINGS[part], getattr(notice, part)) for part in notices.PARTS],
        registration=registration,
        read=read == notice.version,
        read_form=ReadNoticeForm(
            formdata=None, version=notice.version, code=request.args.get("code", "")[:40]
        ),
    )


@blueprint.route("/privacy/read", methods=["POST"])
@login_required
def read_privacy_notice():
    form = ReadNoticeForm()
    if not form.validate_on_submit():
        abort(400)
    notice = notices.notice_version(g.event, form.version.data) or abort(404)
    registration = workflow.registration_for(g.event, current_user)
    if registration is None:
        session[READ_IN_SESSION] = {
            **session.get(READ_IN_SESSION, {}),
            str(g.event.id): notice.version,
        }
        return redirect(url_for("delegate.register", code=form.code.data or None))
    notices.mark_read(registration, notice, actor=current_user)
    db.session.commit()
    flash("Thank you for reading the privacy notice.", "success")
    return redirect(url_for("delegate.registration"))


@blueprint.route("/registration/consent", methods=["POST"])
@login_required
def change_consent():
    registration = workflow.registration_for(g.event, current_user) or abort(404)
    form = ConsentForm()
    if not form.validate_on_submit():
        abort(400)
    f = fields.BY_NAME[form.consent.data]
    given = form.given.data == "yes"
    consents.change_consent(registration, f, given, actor=current_user)
    db.session.commit()
    flash(
        f"Your consent is saved ({f.label.lower()})."
        if given
        else f"Your consent is withdrawn ({f.label.lower()}), from now on.",
        "success",
    )
    return redirect(url_for("delegate.registration", _anchor="consents"))


@blueprint.route("/directory")
@login_required
def directory():
    require_directory_reader(g.event, current_user)
    search = request.args.get("q", "")
    return render_template(
        "delegate/directory.html",
        listed=listed_delegates(g.event, search),
        search=search[:LONGEST_SEARCH],
    )
