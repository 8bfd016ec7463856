"""Bulk actions on the registration list: on the ticked rows, or on all the filter matches."""

from flask import abort, flash, g, redirect, url_for
from flask_login import current_user

from conference.extensions import db
from conference.organiser import blueprint
from conference.organiser.registration_forms import BulkActionForm
from conference.organiser.registrations import filter_form, render_list
from conference.permissions import Permission, requires
from conference.refusals import on_refusal
from conference.services.registration import bulk_actions, listing


@blueprint.route("/registrations/bulk", methods=["POST"])
@requires(Permission.MANAGE)
def run_bulk_action():
    tags = listing.tags_of(g.event)
    filters = filter_form(tags)  # the list the organiser was looking at, from the query string
    if not filters.validate():
        abort(400)
    form = BulkActionForm(tags=tags)
    if not form.validate_on_submit():
        return render_list(filters, tags, bulk_form=form, status=400)
    back = url_for(
        "organiser.registrations", **filters.to_filter().as_args(), sort=filters.sort.data
    )
    on_refusal(lambda: redirect(back))  # back to the list the organiser was looking at
    outcome = bulk_actions.run_bulk_action(
        g.event,
        form.action.data,
        actor=current_user,
        batch=form.batch.data,
        filters=filters.to_filter(),
        references=form.selected.data if form.scope.data == "selected" else None,
        reason=form.reason.data or "",
        tag_id=int(form.tag.data) if form.tag.data else None,
    )
    db.session.commit()
    flash(outcome.summary, "success")
    return redirect(back)
