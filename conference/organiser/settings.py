"""The event's settings, and its host and partners in their public order."""

from functools import partial

from flask import abort, flash, g, redirect, render_template, url_for
from flask_login import current_user

from conference.extensions import db
from conference.models import Organisation
from conference.organiser import blueprint
from conference.organiser.forms import (
    NEW_ORGANISATION,
    DecisionForm,
    EventSettingsForm,
    MovePartnerForm,
    OrganisationForm,
    PartnerForm,
    PrivacyNoticeForm,
)
from conference.permissions import Permission, requires
from conference.refusals import on_refusal
from conference.services.events import event_settings
from conference.services.events.event_settings import EventSettings, OrganisationDetails
from conference.services.privacy import notices, retention


@blueprint.route("/settings", methods=["GET", "POST"])
@requires(Permission.MANAGE)
def settings():
    current = event_settings.settings_of(g.event)
    form = EventSettingsForm(
        data={**current.__dict__, "approval_required": "yes" if current.approval_required else "no"}
    )
    if form.validate_on_submit():
        wanted = EventSettings(
            **{name: form[name].data for name in current.__dict__ if name != "approval_required"},
            approval_required=form.approval_required.data == "yes",
        )
        on_refusal(lambda: _page(form), form)
        changes, promoted = event_settings.update_event(g.event, wanted, actor=current_user)
        db.session.commit()
        if not changes:
            flash("Nothing changed.", "info")
        else:
            promoted_note = (
                f" {len(promoted)} from the waiting list now have a place and will be told."
                if promoted
                else ""
            )
            flash(f"The settings are saved.{promoted_note}", "success")
        return redirect(url_for("organiser.settings"))
    return _page(form), 400 if form.errors else 200


def _page(form: EventSettingsForm):
    return render_template("organiser/settings.html", form=form, purge=retention.purge_of(g.event))


@blueprint.route("/settings/privacy-notice", methods=["GET", "POST"])
@requires(Permission.MANAGE)
def privacy_notice():
    """The event's privacy notice: each saved change is published as a new version."""
    current = notices.current_notice(g.event)
    form = PrivacyNoticeForm(obj=current)
    page = partial(render_template, "organiser/privacy_notice.html", form=form, current=current)
    if form.validate_on_submit():
        on_refusal(page, form)
        text = notices.NoticeText(**{part: form[part].data for part in notices.PARTS})
        published = notices.publish_notice(g.event, text, actor=current_user)
        db.session.commit()
        if published is None:
            flash("Nothing changed: the notice stays at its version.", "info")
        else:
            flash(
                f"Version {published.version} of the privacy notice is published. Registered "
                "delegates who have not read it are asked to, on their registration page.",
                "success",
            )
        return redirect(url_for("organiser.privacy_notice"))
    return page(), 400 if form.errors else 200


@blueprint.route("/partners")
@requires(Permission.MANAGE)
def partners():
    return render_template("organiser/partners.html", action_form=DecisionForm())


def _details(form: OrganisationForm) -> OrganisationDetails:
    return OrganisationDetails(
        name=form.name.data,
        short_name=form.short_name.data,
        kind=form.kind.data,
        country=form.country.data,
        website=form.website.data,
    )


@blueprint.route("/partners/new", methods=["GET", "POST"])
@requires(Permission.MANAGE)
def add_partner():
    known = event_settings.organisations_to_add(g.event)
    form = PartnerForm(organisations=known)
    if form.validate_on_submit():
        chosen = form.organisation.data
        on_refusal(lambda: render_template("organiser/partner_form.html", form=form), form)
        organisation = event_settings.add_partner(
            g.event,
            actor=current_user,
            organisation=next(o for o in known if str(o.id) == chosen)
            if chosen != NEW_ORGANISATION
            else None,
            details=_details(form) if chosen == NEW_ORGANISATION else None,
        )
        db.session.commit()
        flash(f"{organisation.name} is now a partner of {g.event.short_name}.", "success")
        return redirect(url_for("organiser.partners"))
    return render_template("organiser/partner_form.html", form=form), 400 if form.errors else 200


def _partner_or_404(organisation_id: int) -> Organisation:
    link = event_settings.link_of(g.event, organisation_id)
    if link is None:
        abort(404)
    return link.organisation


@blueprint.route("/partners/<int:organisation_id>/edit", methods=["GET", "POST"])
@requires(Permission.MANAGE)
def edit_partner(organisation_id: int):
    organisation = _partner_or_404(organisation_id)
    form = OrganisationForm(obj=organisation)
    if form.validate_on_submit():
        on_refusal(
            lambda: render_template(
                "organiser/partner_form.html", form=form, organisation=organisation
            ),
            form,
        )
        event_settings.update_organisation(
            g.event, organisation, _details(form), actor=current_user
        )
        db.session.commit()
        flash(f"{organisation.name} is saved.", "success")
        return redirect(url_for("organiser.partners"))
    return render_template(
        "organiser/partner_form.html", form=form, organisation=organisation
    ), 400 if form.errors else 200


@blueprint.route("/partners/<int:organisation_id>/remove", methods=["POST"])
@requires(Permission.MANAGE)
def remove_partner(organisation_id: int):
    organisation = _partner_or_404(organisation_id)  # the app checks the CSRF token first
    on_refusal(lambda: render_template("organiser/partners.html", action_form=DecisionForm()))
    event_settings.remove_partner(g.event, organisation, actor=current_user)
    db.session.commit()
    flash(f"{organisation.name} is no longer on the list.", "success")
    return redirect(url_for("organiser.partners"))


@blueprint.route("/partners/<int:organisation_id>/move", methods=["POST"])
@requires(Permission.MANAGE)
def move_partner(organisation_id: int):
    organisation = _partner_or_404(organisation_id)
    form = MovePartnerForm()
    if not form.validate_on_submit():
        abort(400)
    event_settings.move_partner(g.event, organisation, form.direction.data, actor=current_user)
    db.session.commit()
    return redirect(url_for("organiser.partners", _anchor=f"partner-{organisation.id}"))
