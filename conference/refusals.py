"""How a refused rule reaches the page, the same way in every view.

A view says, before it calls a service, which page shows a refusal: `on_refusal(page, form)`.
When the service raises a `DomainError`, the app's one handler (`conference.errors`) rolls the
transaction back, puts the message beside the form field the error names (or above the page
when it names none, or the form has no such field), and answers with that page and the error's
status code. A page that is a redirect stays one, with the message flashed. No view catches a
domain error to show it.
"""

from collections.abc import Callable
from dataclasses import dataclass

from flask import flash, g, make_response
from flask.typing import ResponseReturnValue
from werkzeug.wrappers import Response

from conference.services.errors import DomainError


@dataclass
class Refusal:
    page: Callable[[], ResponseReturnValue]
    form: object | None
    field: str | None
    page_explains: bool
    error: DomainError | None = None


def on_refusal(
    page: Callable[[], ResponseReturnValue],
    form=None,
    field: str | None = None,
    *,
    page_explains: bool = False,
) -> None:
    """Show a refusal of this request on `page()`, beside `form`'s field that the error names
    (or `field` when it names none); `page_explains`: the page itself shows `refused_error()`."""
    g.refusal = Refusal(page, form, field, page_explains)


def refused_error() -> DomainError | None:
    """The error being shown, for a page that shows more of it than its message."""
    refusal = g.get("refusal")
    return refusal.error if refusal else None


def show_refusal(error: DomainError) -> Response | None:
    """The page the view chose for `error`, or None when it chose none."""
    refusal: Refusal | None = g.get("refusal")
    if refusal is None:
        return None
    refusal.error = error
    field = getattr(refusal.form, error.field or refusal.field or "", None)
    if refusal.page_explains:
        pass
    elif field is not None and hasattr(field, "errors"):
        field.errors = [*field.errors, error.message]
    else:
        flash(error.message, "info" if error.news else "danger")
    response = make_response(refusal.page())
    if not 300 <= response.status_code < 400:
        response.status_code = 200 if error.news else error.status_code
    return response
