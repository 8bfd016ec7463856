"""Visa invitation letters: who asked, who gave their details, who downloaded, and the
organisers' withdrawals and reissues. For organisers only: the page shows passport details."""

from flask import abort, flash, g, redirect, render_template, url_for
from flask_login import current_user

from conference.downloads import attachment
from conference.extensions import db
from conference.models import VisaLetter
from conference.organiser import blueprint
from conference.organiser.forms import LetterDownloadForm, LetterReasonForm
from conference.permissions import Permission, requires
from conference.refusals import on_refusal
from conference.services.on_site import visa_letters


def _page(form: LetterReasonForm | None = None, reference: str | None = None):
    return render_template(
        "organiser/letters.html",
        requests=visa_letters.letter_requests(g.event),
        wording_missing=visa_letters.missing_wording(g.event),
        download_form=LetterDownloadForm(formdata=None),
        reason_form=form or LetterReasonForm(formdata=None),
        refused_reference=reference,
    )


def _letter_or_404(letter_reference: str) -> VisaLetter:
    letter = visa_letters.letter_in_event(g.event, letter_reference)
    if letter is None:
        abort(404)
    return letter


def _back():
    return redirect(url_for("organiser.letters"))


@blueprint.route("/letters")
@requires(Permission.MANAGE)
def letters():
    return _page()


@blueprint.route("/letters/<letter_reference>/download", methods=["POST"])
@requires(Permission.MANAGE)
def download_letter(letter_reference: str):
    letter = _letter_or_404(letter_reference)
    if not LetterDownloadForm().validate_on_submit():
        abort(400)
    on_refusal(_page)
    pdf = visa_letters.organiser_download(letter, actor=current_user)
    db.session.commit()  # the audit entry of the download
    return attachment(pdf, f"invitation-letter-{letter.reference}.pdf")


@blueprint.route("/letters/<letter_reference>/withdraw", methods=["POST"])
@requires(Permission.MANAGE)
def withdraw_letter(letter_reference: str):
    letter = _letter_or_404(letter_reference)
    form = LetterReasonForm()
    if not form.validate_on_submit():
        return _page(form, letter.reference), 400
    on_refusal(lambda: _page(form, letter.reference), form)
    visa_letters.withdraw_letter(letter, actor=current_user, reason=form.reason.data)
    db.session.commit()
    flash(f"Letter {letter.reference} is withdrawn: its code now verifies as withdrawn.", "success")
    return _back()


@blueprint.route("/letters/<letter_reference>/reissue", methods=["POST"])
@requires(Permission.MANAGE)
def reissue_letter(letter_reference: str):
    letter = _letter_or_404(letter_reference)
    form = LetterReasonForm()
    if not form.validate_on_submit():
        return _page(form, letter.reference), 400
    on_refusal(lambda: _page(form, letter.reference), form)
    new = visa_letters.reissue_letter(letter, actor=current_user, reason=form.reason.data)
    db.session.commit()
    flash(
        f"Letter {new.reference} is issued, with a new code, in place of {letter.reference}.",
        "success",
    )
    return _back()
