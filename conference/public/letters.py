"""The public verification page of visa invitation letters, for embassies and consulates."""

from functools import partial

from flask import current_app, g, render_template

from conference.extensions import limiter
from conference.public.forms import LetterCheckForm
from conference.public.views import blueprint
from conference.refusals import on_refusal
from conference.services.on_site import visa_letters


def letter_check_rate_limit() -> str:
    return current_app.config["LETTER_CHECK_RATE_LIMIT"]


@blueprint.route("/<event_slug>/verify-letter", methods=["GET", "POST"])
@limiter.limit(letter_check_rate_limit, methods=["POST"])  # codes are not to be guessed
def verify_letter():
    form = LetterCheckForm()
    page = partial(render_template, "public/verify_letter.html", form=form)
    if form.validate_on_submit():
        on_refusal(page, form)  # an unknown code: a 404, said beside the field
        return page(check=visa_letters.check_letter(g.event, form.code.data))
    return page(), 400 if form.errors else 200
