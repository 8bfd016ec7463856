"""Exports (participants, catering, security) and the CSV imports of registrations and invitees."""

from functools import partial

from flask import (
    Response,
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    send_file,
    stream_with_context,
    url_for,
)
from flask_login import current_user

from conference.extensions import db
from conference.organiser import blueprint
from conference.organiser.forms import (
    DownloadForm,
    ImportForm,
    ParticipantExportForm,
)
from conference.organiser.registrations import filter_form
from conference.permissions import Permission, requires, sees_sensitive_data
from conference.refusals import on_refusal, refused_error
from conference.services.registration import (
    exports,
    invitee_import,
    listing,
    people_csv,
    registration_import,
)
from conference.services.text import counted

CSV_TYPE = "text/csv; charset=utf-8"
# Ticked when the page opens.
USUAL_COLUMNS = ["reference", "name", "email", "organisation", "country", "status"]
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _filter():
    """The registration list's own filter form: the export shows exactly what the list shows."""
    form = filter_form(listing.tags_of(g.event))
    if not form.validate():
        abort(400)
    return form.to_filter()


def _sensitive() -> bool:
    return sees_sensitive_data(current_user, g.event)


def _exports_page(participant_form=None, status=200):
    filters = _filter()
    return render_template(
        "organiser/exports.html",
        filters=filters,
        participant_form=participant_form
        or ParticipantExportForm(formdata=None, columns=USUAL_COLUMNS, sensitive=_sensitive()),
        download_form=DownloadForm(formdata=None),
    ), status


def _download(export: exports.Export, file_format: str) -> Response:
    """Commit the audit entry, then stream the file: the rows are read as it is sent."""
    db.session.commit()
    if file_format == "xlsx":
        return send_file(
            exports.xlsx_file(export),
            mimetype=XLSX_TYPE,
            as_attachment=True,
            download_name=export.filename(g.event, "xlsx"),
        )
    response = Response(stream_with_context(exports.csv_chunks(export)), mimetype=CSV_TYPE)
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{export.filename(g.event, "csv")}"'
    )
    return response


@blueprint.route("/exports", endpoint="exports")
@requires(Permission.VIEW)
def exports_page():
    return _exports_page()


@blueprint.route("/exports/participants", methods=["POST"])
@requires(Permission.VIEW)
def export_participants():
    form = ParticipantExportForm(sensitive=_sensitive())
    if not form.validate_on_submit():
        return _exports_page(form, status=400)
    export = exports.participant_list(g.event, _filter(), form.columns.data, actor=current_user)
    return _download(export, form.format.data)


@blueprint.route("/exports/catering", methods=["POST"])
@requires(Permission.VIEW)
def export_catering():
    form = DownloadForm()
    if not form.validate_on_submit():
        abort(400)
    return _download(exports.catering_summary(g.event, actor=current_user), form.format.data)


@blueprint.route("/exports/security", methods=["POST"])
@requires(Permission.VIEW)
def export_security():
    form = DownloadForm()
    if not form.validate_on_submit():
        abort(400)
    return _download(exports.security_list(g.event, actor=current_user), form.format.data)


@blueprint.route("/import", methods=["GET", "POST"])
@requires(Permission.MANAGE)
def imports():
    form = ImportForm()
    if not form.is_submitted() and request.args.get("kind") == "invitees":  # from Invitations
        form.kind.data = "invitees"
    page = partial(render_template, "organiser/import.html", form=form)
    if request.method == "GET":
        return page(report=None)
    if not form.validate_on_submit():
        return page(report=None), 400
    data = form.file.data.read(people_csv.MAX_FILE_SIZE + 1)
    invitees = form.kind.data == "invitees"
    on_refusal(lambda: page(report=getattr(refused_error(), "report", None)), form, field="file")
    if form.submit.data and invitees:
        report = invitee_import.import_invitees(g.event, data, actor=current_user)
    elif form.submit.data:
        report = registration_import.import_registrations(
            g.event, data, actor=current_user, notify=form.notify.data
        )
    elif invitees:
        report = invitee_import.check_invitees(g.event, data)
    else:
        report = registration_import.check_import(g.event, data)
    if report.imported and invitees:
        db.session.commit()
        on_their_way = counted(
            len(report.rows), "invitation is on its way", "invitations are on their way"
        )
        flash(f"{on_their_way}.", "success")
        return redirect(url_for("organiser.registration_invitations"))
    if report.imported:
        db.session.commit()
        flash(f"{counted(len(report.rows), 'registration')} imported as pending.", "success")
        return redirect(url_for("organiser.registrations", status="pending"))
    return page(report=report), 200 if report.ok else 400
