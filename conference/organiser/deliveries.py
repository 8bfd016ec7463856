"""The Deliveries page: every email of the event and how its delivery went; sending again what
the worker gave up on."""

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user

from conference.extensions import db
from conference.organiser import blueprint
from conference.organiser.delivery_forms import (
    DeliveryFilterForm,
    SendAgainForm,
    SendAllAgainForm,
)
from conference.organiser.paging import requested_page
from conference.permissions import Permission, requires
from conference.refusals import on_refusal
from conference.services.mail import deliveries
from conference.services.mail.deliveries import DeliveryFilter

PAGE_SIZE = 50


@blueprint.route("/deliveries", endpoint="deliveries")
@requires(Permission.VIEW)
def deliveries_page():
    form = DeliveryFilterForm(request.args)
    if not form.validate():  # the filters with their errors beside them, and no emails
        return render_template("organiser/deliveries.html", form=form, page=None), 400
    narrow = form.to_filter()
    page = db.paginate(
        deliveries.deliveries_query(g.event, narrow),
        page=requested_page(),
        per_page=PAGE_SIZE,
        max_per_page=PAGE_SIZE,
    )
    return render_template(
        "organiser/deliveries.html",
        form=form,
        page=page,
        narrow=narrow,
        counts=deliveries.state_counts(g.event, narrow.recipient),
        names=deliveries.names_of(page.items),
        what_email=deliveries.what_email,
        again_form=SendAgainForm(formdata=None),
        all_again_form=SendAllAgainForm(formdata=None, q=narrow.recipient),
    )


def _back_to_list(**args):
    return redirect(url_for("organiser.deliveries", **args))


@blueprint.route("/deliveries/<int:email_id>/send-again", methods=["POST"])
@requires(Permission.DECIDE)
def send_email_again(email_id: int):
    email = deliveries.email_of(g.event, email_id)
    if email is None:
        abort(404)
    if not SendAgainForm().validate_on_submit():
        abort(400)
    back = DeliveryFilter(recipient=request.args.get("q", "")[:200]).as_args()
    on_refusal(lambda: _back_to_list(**back))
    deliveries.send_again(email, actor=current_user)
    db.session.commit()
    flash(f"The email to {email.recipient} will be sent again in a moment.", "success")
    return _back_to_list(**back)


@blueprint.route("/deliveries/send-again", methods=["POST"])
@requires(Permission.DECIDE)
def send_failed_emails_again():
    form = SendAllAgainForm()
    if not form.validate_on_submit():
        abort(400)
    narrow = DeliveryFilter(recipient=(form.q.data or "").strip())
    on_refusal(lambda: _back_to_list(**narrow.as_args()))
    count = deliveries.send_all_failed_again(g.event, narrow, actor=current_user)
    db.session.commit()
    flash(f"{count} email{'s' if count != 1 else ''} will be sent again in a moment.", "success")
    return _back_to_list(**narrow.as_args())
