"""On site: the live counts of arrivals per day, who has not arrived yet, and its export;
the badges of every approved delegate, or of the registration list's filter."""

from flask import abort, g, redirect, render_template, request, url_for
from flask_login import current_user

from conference.downloads import attachment
from conference.extensions import db
from conference.models import utcnow
from conference.organiser import blueprint
from conference.organiser.exports import _download
from conference.organiser.forms import BadgeDownloadForm, CertificatesForm, NotArrivedExportForm
from conference.organiser.registrations import filter_form
from conference.permissions import Permission, requires
from conference.refusals import on_refusal
from conference.services.on_site import arrivals, badge_pdf, certificates
from conference.services.on_site.badge_pdf import Layout
from conference.services.registration import listing
from conference.services.registration.listing import RegistrationFilter


def _page(day=None):
    day = day or arrivals.day_to_show(g.event)
    return render_template(
        "organiser/on_site.html",
        counts=arrivals.counts_per_day(g.event),
        day=day,
        not_arrived=arrivals.not_arrived(g.event, day),
        export_form=NotArrivedExportForm(formdata=None, day=day),
        certificates_form=CertificatesForm(formdata=None),
        badge_form=BadgeDownloadForm(formdata=None),
        badge_count=badge_pdf.approved_count(g.event, RegistrationFilter()),
        event_over=g.event.ends_at <= utcnow(),
    )


@blueprint.route("/on-site")
@requires(Permission.VIEW)
def on_site():
    on_refusal(_page)  # a day the event does not have: its usual day, with the reason
    return _page(arrivals.day_to_show(g.event, request.args.get("day")))


@blueprint.route("/on-site/counts.json")
@requires(Permission.VIEW)
def on_site_counts():
    """What the On site page polls to keep its counts live."""
    return {"days": [count.as_json() for count in arrivals.counts_per_day(g.event)]}


@blueprint.route("/on-site/not-arrived", methods=["POST"])
@requires(Permission.VIEW)
def export_not_arrived():
    form = NotArrivedExportForm()
    if not form.validate_on_submit():
        abort(400)
    on_refusal(_page)
    export = arrivals.not_arrived_list(g.event, form.day.data, actor=current_user)
    return _download(export, form.format.data)


@blueprint.route("/on-site/certificates", methods=["POST"])
@requires(Permission.VIEW)
def download_certificates():
    if not CertificatesForm().validate_on_submit():
        abort(400)
    on_refusal(_page)
    pdf = certificates.all_certificates_pdf(g.event, actor=current_user)
    db.session.commit()  # the audit entry of the download
    return attachment(pdf, f"{g.event.slug}-certificates.pdf")


@blueprint.route("/badges.pdf", methods=["POST"])
@requires(Permission.DECIDE)  # a badge opens the door: the read-only team prints none
def download_badges():
    """The badges of the approved registrations that the list's filter (in the query string,
    as the list carries it) matches; every approved one from the On site page."""
    form = BadgeDownloadForm()
    filters = filter_form(listing.tags_of(g.event))
    if not (form.validate_on_submit() and filters.validate()):
        abort(400)
    args = filters.to_filter().as_args()
    on_refusal(lambda: redirect(url_for("organiser.registrations", **args)))
    printed = badge_pdf.badges_for(
        g.event, filters.to_filter(), actor=current_user, layout=Layout(form.layout.data)
    )
    db.session.commit()  # the badges issued now, and the audit entry of the download
    return attachment(printed.content, printed.filename)
