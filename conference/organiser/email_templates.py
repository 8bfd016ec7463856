"""The event's emails: every email of the catalogue in its words, in English and Dutch; an
organiser edits them with a preview on a real registration, or goes back to the default."""

from flask import abort, flash, g, make_response, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import escape
from wtforms import SelectChoice

from conference.extensions import db
from conference.models import EMAIL_LANGUAGES
from conference.organiser import blueprint
from conference.organiser.email_forms import (
    EmailPreviewForm,
    EmailTemplateForm,
    ResetEmailTemplateForm,
)
from conference.permissions import Permission, requires
from conference.refusals import on_refusal, refused_error
from conference.services.mail import email_templates
from conference.services.mail.catalogue import default_text

# The HTML part of a preview is its own page, shown in a sandboxed frame: its inline styles are
# the email's, allowed there and nowhere else; it runs nothing and loads nothing.
PREVIEW_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'self'"
)


@blueprint.route("/emails")
@requires(Permission.MANAGE)
def email_templates_list():
    return render_template(
        "organiser/email_templates.html",
        wordings=email_templates.wordings_of(g.event),
        languages=EMAIL_LANGUAGES,
    )


def _registration_choices(registrations) -> list[SelectChoice]:
    return [SelectChoice(0, "Sample values")] + [
        SelectChoice(r.id, f"{r.reference} · {r.user.name} · {r.status_label}")
        for r in registrations
    ]


def _editor_page(form, kind, language, preview=None, status=200):
    saved = email_templates.saved_template(g.event, kind.key, language)
    return render_template(
        "organiser/email_template.html",
        form=form,
        kind=kind,
        language=language,
        languages=EMAIL_LANGUAGES,
        saved=saved,
        preview=preview,
    ), status


def _chosen(form, registrations):
    return next((r for r in registrations if r.id == form.registration.data), None)


@blueprint.route("/emails/<email_kind>/<language>", methods=["GET", "POST"])
@requires(Permission.MANAGE)
def edit_email_template(email_kind, language):
    kind = email_templates.email_kind(email_kind, language)
    registrations = email_templates.preview_registrations(g.event)
    form = EmailTemplateForm()
    form.registration.choices = _registration_choices(registrations)
    if not form.is_submitted():
        form.subject.data, form.body.data = email_templates.template_for(
            g.event, kind.key, language
        )
        form.registration.data = registrations[0].id if registrations else 0
    elif not form.validate():
        return _editor_page(form, kind, language, status=400)
    on_refusal(lambda: _editor_page(form, kind, language), form)
    if form.is_submitted() and form.save.data:
        email_templates.save_template(
            g.event, kind.key, language, form.subject.data, form.body.data, actor=current_user
        )
        db.session.commit()
        flash(f"Saved: “{kind.title}” ({EMAIL_LANGUAGES[language]}) is sent in these words.")
        return redirect(
            url_for("organiser.edit_email_template", email_kind=kind.key, language=language)
        )
    rendered = email_templates.preview(
        g.event,
        kind.key,
        language,
        form.subject.data,
        form.body.data,
        _chosen(form, registrations),
    )
    return _editor_page(form, kind, language, preview=rendered)


def _framed(html: str, status: int = 200):
    response = make_response(html, status)
    response.headers["Content-Security-Policy"] = PREVIEW_POLICY
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response


@blueprint.route("/emails/<email_kind>/<language>/preview.html", methods=["GET", "POST"])
@requires(Permission.MANAGE)
def preview_email_html(email_kind, language):
    """The HTML part as a mail client shows it: of the words posted (those being edited), or
    else of the words the email is sent with; with the data of the registration chosen."""
    kind = email_templates.email_kind(email_kind, language)
    form = EmailPreviewForm()
    if form.is_submitted() and not form.validate():
        return _framed("<p>This preview has expired: press Preview again.</p>", 400)
    subject, body = email_templates.template_for(g.event, kind.key, language)
    chosen = form.registration.data or request.args.get("registration", type=int)
    registration = next(
        (r for r in email_templates.preview_registrations(g.event) if r.id == chosen), None
    )
    on_refusal(
        lambda: _framed(f"<p>{escape(refused_error().message)}</p>", 400),
        page_explains=True,
    )
    rendered = email_templates.preview(
        g.event,
        kind.key,
        language,
        form.subject.data if form.is_submitted() else subject,
        form.body.data if form.is_submitted() else body,
        registration,
    )
    return _framed(rendered.html)


@blueprint.route("/emails/<email_kind>/<language>/reset", methods=["GET", "POST"])
@requires(Permission.MANAGE)
def reset_email_template(email_kind, language):
    kind = email_templates.email_kind(email_kind, language)
    back = url_for("organiser.edit_email_template", email_kind=kind.key, language=language)
    form = ResetEmailTemplateForm()
    if form.validate_on_submit():
        email_templates.reset_template(g.event, kind.key, language, actor=current_user)
        db.session.commit()
        flash(f"“{kind.title}” ({EMAIL_LANGUAGES[language]}) is sent in the default words again.")
        return redirect(back)
    if form.is_submitted():
        abort(400)
    return render_template(
        "organiser/email_template_reset.html",
        form=form,
        kind=kind,
        language=language,
        languages=EMAIL_LANGUAGES,
        saved=email_templates.saved_template(g.event, kind.key, language),
        default=default_text(kind.key, language),
        back=back,
    )
