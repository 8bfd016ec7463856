"""Error pages: every failure answers with a clear page (or JSON for API clients), never a trace."""

import logging
import math
import time

from flask import Flask, jsonify, render_template, request
from flask_limiter import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException, InternalServerError, ServiceUnavailable

from conference.extensions import db, limiter
from conference.refusals import show_refusal
from conference.services.errors import DomainError

log = logging.getLogger(__name__)

MESSAGES = {
    400: "The request could not be understood. Please go back and try again.",
    403: "You do not have access to this page.",
    404: "There is no page at this address.",
    405: "This page cannot be used that way.",
    413: "What you sent is too large.",
    429: "Too many attempts. Please wait a minute and try again.",
    500: "Something went wrong on our side. It has been logged; please try again later.",
    503: "The service is busy. Please try again in a moment.",
}


def _wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return request.path.startswith("/api/") or best == "application/json"


def _respond(status: int, message: str, title: str | None = None):
    if _wants_json():
        return jsonify(error=message, status=status), status
    return render_template("errors/error.html", status=status, message=message, title=title), status


def register(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code and error.code >= 500:
            db.session.rollback()
        return _respond(error.code or 500, MESSAGES.get(error.code, error.description), error.name)

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return _respond(
            400,
            "This form had expired or was sent from another site. Go back, reload the page and "
            "send it again.",
            "Form expired",
        )

    @app.errorhandler(RateLimitExceeded)
    def too_many_attempts(error: RateLimitExceeded):
        """Still a 429 with Retry-After, but a person is told when to try again and, since a
        forgotten password is the usual cause, where to choose a new one."""
        wait = _seconds_until_the_limit_resets()
        in_words = _duration_in_words(wait)
        if _wants_json():
            message = f"Too many attempts. Try again in {in_words}."
            response = jsonify(error=message, status=429, retry_after=wait)
        else:
            response = app.make_response(
                render_template("errors/too_many_attempts.html", wait=in_words)
            )
        response.status_code = 429
        response.headers["Retry-After"] = str(wait)
        return response

    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        """A rule said no: nothing of the request is kept, and the page the view chose for a
        refusal (`conference.refusals.on_refusal`) shows why; without one, an error page."""
        db.session.rollback()
        if not _wants_json() and (page := show_refusal(error)) is not None:
            return page
        return _respond(error.status_code, error.message)

    @app.errorhandler(OperationalError)
    def database_error(error: OperationalError):
        db.session.rollback()
        if _database_busy(error):
            log.warning("database busy: %s", error.orig)
            return http_error(ServiceUnavailable())
        log.exception("database error")
        return http_error(InternalServerError())

    @app.errorhandler(IntegrityError)
    def conflict(error: IntegrityError):
        """Another request saved the same thing first. The database's own message can quote the
        participant's data (PostgreSQL's "Key (email)=(...)"), so only its kind is logged."""
        db.session.rollback()
        constraint = getattr(getattr(error.orig, "diag", None), "constraint_name", None)
        log.warning("conflict: %s on %s", type(error.orig).__name__, constraint or "a constraint")
        return _respond(
            409, "This conflicts with something saved a moment ago. Reload the page and try again."
        )

    @app.errorhandler(PoolTimeout)
    def no_free_connection(error: PoolTimeout):
        db.session.rollback()
        log.warning("no free database connection: %s", error)
        return http_error(ServiceUnavailable())


def _seconds_until_the_limit_resets() -> int:
    breached = limiter.current_limit
    if breached is None:  # the limiter always names the limit it refused on; a minute otherwise
        return 60
    # Rounded as Flask-Limiter rounds the Retry-After it writes over ours, so the two agree.
    return max(1, int(breached.reset_at - time.time()))


def _duration_in_words(seconds: int) -> str:
    if seconds < 100:
        return f"{seconds} second{'' if seconds == 1 else 's'}"
    minutes = math.ceil(seconds / 60)
    return f"{minutes} minute{'' if minutes == 1 else 's'}"


def _database_busy(error: OperationalError) -> bool:
    """SQLite's "database is locked", or PostgreSQL's lock timeout (SQLSTATE 55P03) or a
    deadlock it broke by aborting this transaction (40P01): either way, try again shortly."""
    sqlstate = getattr(error.orig, "sqlstate", None)
    return sqlstate in {"55P03", "40P01"} or "locked" in str(error.orig).lower()
