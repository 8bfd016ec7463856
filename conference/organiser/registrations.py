"""The registration list, one registration's page, and the decisions on it."""

from functools import wraps

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user

from conference.downloads import attachment
from conference.extensions import db
from conference.models import BadgeRole, RegistrationStatus
from conference.organiser import blueprint
from conference.organiser.forms import (
    BadgeDownloadForm,
    DecisionForm,
    ReissueBadgeForm,
    RejectForm,
    RevokeBadgeForm,
)
from conference.organiser.paging import requested_page
from conference.organiser.registration_forms import (
    BulkActionForm,
    NoteForm,
    RegistrationFilterForm,
    TagChoiceForm,
)
from conference.permissions import Permission, requires, sees_sensitive_data
from conference.refusals import on_refusal
from conference.services.audit import writing
from conference.services.mail import deliveries
from conference.services.on_site import badge_pdf, badges
from conference.services.on_site.badge_pdf import Layout
from conference.services.registration import listing, notes, tags, workflow

PAGE_SIZE = 50
EMAILS_SHOWN = 10  # on a registration's page; the rest on Deliveries


def _registration_or_404(reference: str):
    registration = listing.registration_by_reference(g.event, reference)
    if registration is None:
        abort(404)
    return registration


def filter_form(tags) -> RegistrationFilterForm:
    """The list's filters and order, from the query string, with the event's choices."""
    return RegistrationFilterForm(
        request.args,
        countries=listing.countries_of(g.event),
        organisations=[link.organisation for link in g.event.organisations],
        tags=tags,
        sensitive=sees_sensitive_data(current_user, g.event),
        workshops=listing.workshops_of(g.event),
    )


def render_list(form: RegistrationFilterForm, tags, bulk_form=None, status=200):
    """The list page: one page of what the filter matches, and the bulk-action form."""
    args = form.to_filter().as_args() | {"sort": form.sort.data}
    page = listing.registration_page(
        g.event,
        form.to_filter(),
        form.sort.data,
        requested_page(),
        PAGE_SIZE,
    )
    counts = listing.status_counts(g.event)
    return render_template(
        "organiser/registrations.html",
        form=form,
        args=args,
        page=page,
        counts=counts,
        seats_left=workflow.seats_left(g.event, counts.get(RegistrationStatus.APPROVED, 0)),
        bulk_form=bulk_form or BulkActionForm(tags=tags),
        badge_form=BadgeDownloadForm(formdata=None),
        badge_count=badge_pdf.approved_count(g.event, form.to_filter()),
        tags_by_id={tag.id: tag for tag in tags},
    ), status


@blueprint.route("/registrations")
@requires(Permission.VIEW)
def registrations():
    tags = listing.tags_of(g.event)
    form = filter_form(tags)
    if not form.validate():
        abort(400)
    return render_list(form, tags)


def _detail_page(
    registration, reject_form=None, status=200, note_form=None, revoke_form=None, reissue_form=None
):
    history = writing.history_of(registration)
    return render_template(
        "organiser/registration.html",
        registration=registration,
        history=history,
        decision_form=DecisionForm(),
        reject_form=reject_form or RejectForm(),
        note_form=note_form or NoteForm(),
        badges=badges.history(registration),
        badge_download_form=BadgeDownloadForm(formdata=None),
        revoke_form=revoke_form or RevokeBadgeForm(formdata=None, prefix="revoke"),
        reissue_form=reissue_form or ReissueBadgeForm(formdata=None, prefix="reissue"),
        tag_form=TagChoiceForm(),
        event_tags=listing.tags_of(g.event),
        seats_left=workflow.seats_left(g.event),
        emails=deliveries.emails_to(registration, limit=EMAILS_SHOWN + 1),
        emails_shown=EMAILS_SHOWN,
    ), status


@blueprint.route("/registrations/<reference>", endpoint="registration")
@requires(Permission.VIEW)
def registration_detail(reference: str):
    return _detail_page(_registration_or_404(reference))


def _decision(view):
    """Run one decision on a registration: commit and say so; a refusal shows on its page."""

    @wraps(view)
    def wrapper(reference: str):
        registration = _registration_or_404(reference)
        on_refusal(lambda: _detail_page(registration))
        outcome = view(registration)
        if not isinstance(outcome, str):  # the form was refused: a page to show
            return outcome
        db.session.commit()
        flash(outcome, "success")
        return redirect(url_for("organiser.registration", reference=reference))

    return wrapper


@blueprint.route("/registrations/<reference>/approve", methods=["POST"])
@requires(Permission.DECIDE)
@_decision
def approve_registration(registration):
    workflow.approve_registration(registration, actor=current_user)
    return f"{registration.user.name} is approved and will be told by email."


@blueprint.route("/registrations/<reference>/waitlist", methods=["POST"])
@requires(Permission.DECIDE)
@_decision
def waitlist_registration(registration):
    workflow.waitlist_registration(registration, actor=current_user)
    return f"{registration.user.name} is on the waiting list and will be told by email."


@blueprint.route("/registrations/<reference>/reject", methods=["POST"])
@requires(Permission.DECIDE)
@_decision
def reject_registration(registration):
    form = RejectForm()
    if not form.validate_on_submit():
        return _detail_page(registration, reject_form=form, status=400)
    workflow.reject_registration(registration, actor=current_user, reason=form.reason.data)
    return f"{registration.user.name} is rejected and will be told by email."


@blueprint.route("/registrations/<reference>/notes", methods=["POST"])
@requires(Permission.DECIDE)
@_decision
def add_note(registration):
    form = NoteForm()
    if not form.validate_on_submit():
        return _detail_page(registration, note_form=form, status=400)
    notes.add_note(registration, form.body.data, actor=current_user)
    return "Your note is saved. Only the team can read it."


@blueprint.route("/registrations/<reference>/tags/add", methods=["POST"])
@requires(Permission.DECIDE)
@_decision
def tag_registration(registration):
    form = TagChoiceForm()
    if not form.validate_on_submit():
        abort(400)
    tag = tags.tag_registration(registration, form.tag.data, actor=current_user)
    return f"Tagged “{tag.name}”."


@blueprint.route("/registrations/<reference>/tags/remove", methods=["POST"])
@requires(Permission.DECIDE)
@_decision
def untag_registration(registration):
    form = TagChoiceForm()
    if not form.validate_on_submit():
        abort(400)
    tag = tags.tag_registration(registration, form.tag.data, actor=current_user, remove=True)
    return f"Took the tag “{tag.name}” off."


@blueprint.route("/registrations/<reference>/badge.pdf", methods=["POST"])
@requires(Permission.DECIDE)  # a badge opens the door: the read-only team prints none
def download_badge(reference: str):
    """The registration's badge, to print at the desk or hand over; approved ones only."""
    registration = _registration_or_404(reference)
    form = BadgeDownloadForm()
    if not form.validate_on_submit():
        abort(400)
    on_refusal(lambda: _detail_page(registration))
    printed = badge_pdf.registration_badge(
        registration, actor=current_user, layout=Layout(form.layout.data)
    )
    db.session.commit()  # the badge if issued now, and the audit entry of the download
    return attachment(printed.content, printed.filename)


@blueprint.route("/registrations/<reference>/badge/revoke", methods=["POST"])
@requires(Permission.DECIDE)
@_decision
def revoke_badge(registration):
    form = RevokeBadgeForm(prefix="revoke")
    if not form.validate_on_submit():
        return _detail_page(registration, revoke_form=form, status=400)
    badges.revoke_badge(registration, actor=current_user, reason=form.reason.data)
    return "The badge is revoked: the desk refuses it from now on. The next one printed is new."


@blueprint.route("/registrations/<reference>/badge/reissue", methods=["POST"])
@requires(Permission.DECIDE)
@_decision
def reissue_badge(registration):
    form = ReissueBadgeForm(prefix="reissue")
    if not form.validate_on_submit():
        return _detail_page(registration, reissue_form=form, status=400)
    badge = badges.reissue_badge(
        registration,
        actor=current_user,
        reason=form.reason.data,
        role=BadgeRole(form.role.data) if form.role.data else None,
    )
    return (
        f"A new {BadgeRole(badge.role).label.lower()} badge is issued; the old one no longer "
        "gets in. Download it to print it."
    )
