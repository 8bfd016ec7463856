"""The owner of an account changes its name, its email address (once the new one is confirmed)
and its password, logged in."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user

from conference.accounts.forms import (
    ChangeEmailForm,
    ChangeNameForm,
    ChangePasswordForm,
    EmailLanguageForm,
)
from conference.accounts.views import blueprint, link_problem_page, login_rate_limit
from conference.extensions import db, limiter
from conference.models import EMAIL_LANGUAGES
from conference.refusals import on_refusal
from conference.services.people import accounts


def _form_page(template: str, form):
    return render_template(template, form=form), 400 if form.errors else 200


@blueprint.route("/name", methods=["GET", "POST"])
@login_required
def change_name():
    form = ChangeNameForm(data={"name": current_user.name})
    if not form.validate_on_submit():
        return _form_page("accounts/change_name.html", form)
    accounts.change_name(current_user._get_current_object(), form.name.data)
    db.session.commit()
    flash(f"Your name is now {current_user.name}.", "success")
    return redirect(url_for("accounts.home"))


@blueprint.route("/language", methods=["POST"])
@login_required
def change_language():
    form = EmailLanguageForm()
    if not form.validate_on_submit():
        abort(400)
    accounts.change_language(current_user._get_current_object(), form.language.data)
    db.session.commit()
    flash(f"We write your emails in {EMAIL_LANGUAGES[current_user.locale]} from now on.", "success")
    return redirect(url_for("accounts.home"))


@blueprint.route("/email", methods=["GET", "POST"])
@login_required
@limiter.limit(login_rate_limit, methods=["POST"])
def change_email():
    form = ChangeEmailForm()
    if not form.validate_on_submit():
        return _form_page("accounts/change_email.html", form)
    on_refusal(lambda: render_template("accounts/change_email.html", form=form), form)
    accounts.request_email_change(
        current_user._get_current_object(), form.email.data, form.password.data
    )
    db.session.commit()
    flash(
        f"We have sent a link to {current_user.pending_email}. Your email address changes once "
        f"you open it; until then you log in with {current_user.email}.",
        "info",
    )
    return redirect(url_for("accounts.home"))


@blueprint.route("/email/confirm/<token>")
def confirm_email_change(token: str):
    if not current_user.is_authenticated:
        flash("Log in with your current email address to confirm the new one.", "info")
        return redirect(url_for("accounts.login", next=request.path))
    on_refusal(link_problem_page, page_explains=True)
    accounts.confirm_email_change(current_user._get_current_object(), token)
    db.session.commit()
    flash(f"Your email address is now {current_user.email}: log in with it from now on.", "success")
    return redirect(url_for("accounts.home"))


@blueprint.route("/password", methods=["GET", "POST"])
@login_required
@limiter.limit(login_rate_limit, methods=["POST"])
def change_password():
    form = ChangePasswordForm()
    if not form.validate_on_submit():
        return _form_page("accounts/change_password.html", form)
    user = current_user._get_current_object()
    on_refusal(lambda: render_template("accounts/change_password.html", form=form), form)
    accounts.change_password(user, form.current_password.data, form.password.data)
    db.session.commit()
    login_user(user)  # this session, on the new session token; every other one has ended
    flash("Your password is changed. Every other device is logged out.", "success")
    return redirect(url_for("accounts.home"))
