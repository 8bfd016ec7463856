"""Links that leave the site: in emails, calendar feeds and schedule exports."""

from typing import Any
from urllib.parse import urlsplit

from flask import current_app


def absolute_url(endpoint: str, **values: Any) -> str:
    """A full link to a page, built on BASE_URL and never on the request's Host header, which
    a client chooses (a link in a password-reset email must not point at someone else's site).

    Works inside a request and outside one (a CLI command, a test).
    """
    base = urlsplit(current_app.config["BASE_URL"])
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path or "/", url_scheme=base.scheme
    )
    return adapter.build(endpoint, values, force_external=True)
