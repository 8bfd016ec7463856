"""The owner's rights over their data: a copy of all of it, and erasing the account."""

import json
from functools import partial

from flask import flash, redirect, render_template, session, url_for
from flask_login import current_user, login_required, logout_user

from conference.accounts.forms import EraseAccountForm
from conference.accounts.views import blueprint, login_rate_limit
from conference.downloads import attachment
from conference.extensions import db, limiter
from conference.refusals import on_refusal
from conference.services.privacy import data_export, erasure


@blueprint.route("/data.json")
@login_required
def download_data():
    data = data_export.data_of(current_user._get_current_object())
    db.session.commit()
    response = attachment(
        json.dumps(data, indent=2, ensure_ascii=False).encode(),
        "my-conference-data.json",
        mimetype="application/json",
    )
    response.headers["Cache-Control"] = "no-store"  # personal data: in no cache at all
    return response


@blueprint.route("/erase", methods=["GET", "POST"])
@login_required
@limiter.limit(login_rate_limit, methods=["POST"])
def erase_account():
    form = EraseAccountForm()
    page = partial(render_template, "accounts/erase.html", form=form)
    if not form.validate_on_submit():
        return page(), 400 if form.errors else 200
    on_refusal(page, form)
    erasure.erase_account(current_user._get_current_object(), form.password.data)
    db.session.commit()
    logout_user()
    session.clear()
    flash("Your account is erased. Nothing we keep names you any more.", "success")
    return redirect(url_for("public.index"))
