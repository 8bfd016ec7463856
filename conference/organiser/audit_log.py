"""The audit log of the event: read-only, as the log itself is append-only."""

from flask import g, render_template, request
from flask_login import current_user
from wtforms import SelectChoice

from conference.extensions import db
from conference.organiser import blueprint
from conference.organiser.forms import AuditLogFilterForm
from conference.organiser.paging import requested_page
from conference.permissions import Permission, requires, sees_sensitive_data
from conference.services.audit import reading, wording

PAGE_SIZE = 50


@blueprint.route("/audit-log", endpoint="audit_log")
@requires(Permission.VIEW)
def audit_log_page():
    form = AuditLogFilterForm(request.args)
    actions = reading.actions_in(g.event)
    form.what.choices = [SelectChoice("", "Every action")] + [
        SelectChoice(action, reading.action_label(action)) for action in actions
    ]
    if not form.validate():  # the filters with their errors beside them, and no entries
        return render_template("organiser/audit_log.html", form=form, page=None), 400
    narrow = reading.AuditFilter(
        who=(form.who.data or "").strip(),
        what=form.what.data or "",
        registration=(form.registration.data or "").strip(),
    )
    page = db.paginate(
        reading.entries_query(g.event, narrow),
        page=requested_page(),
        per_page=PAGE_SIZE,
        max_per_page=PAGE_SIZE,
    )
    return render_template(
        "organiser/audit_log.html",
        form=form,
        page=page,
        narrow=narrow,
        words=wording.entries_in_words(
            g.event, page.items, sensitive=sees_sensitive_data(current_user, g.event)
        ),
        action_label=reading.action_label,
    )
