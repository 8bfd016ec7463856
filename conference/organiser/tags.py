"""The event's tags: the coloured labels its team puts on registrations."""

from flask import abort, flash, g, redirect, render_template, url_for
from flask_login import current_user

from conference.extensions import db
from conference.organiser import blueprint
from conference.organiser.registration_forms import TagChoiceForm, TagForm
from conference.permissions import Permission, requires
from conference.refusals import on_refusal
from conference.services.registration import tags


def _tags_page(form=None, status=200):
    return render_template(
        "organiser/tags.html",
        form=form or TagForm(),
        delete_form=TagChoiceForm(),
        tags=tags.tags_with_counts(g.event),
    ), status


@blueprint.route("/tags", methods=["GET", "POST"], endpoint="tags")
@requires(Permission.MANAGE)
def tags_page():
    form = TagForm()
    if not form.is_submitted():
        return _tags_page(form)
    if not form.validate():
        return _tags_page(form, status=400)
    on_refusal(lambda: _tags_page(form), form, field="name")
    tag = tags.create_tag(g.event, form.name.data, form.colour.data, actor=current_user)
    db.session.commit()
    flash(f"The tag “{tag.name}” is ready to use.", "success")
    return redirect(url_for("organiser.tags"))


@blueprint.route("/tags/delete", methods=["POST"])
@requires(Permission.MANAGE)
def delete_tag():
    form = TagChoiceForm()
    if not form.validate_on_submit():
        abort(400)
    on_refusal(_tags_page)
    tag, carried = tags.delete_tag_by_id(g.event, form.tag.data, actor=current_user)
    db.session.commit()
    flash(f"Deleted the tag “{tag.name}”; {carried} registration(s) carried it.", "success")
    return redirect(url_for("organiser.tags"))
