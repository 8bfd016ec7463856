"""A logged-in session ends after a while without a request (idle) and after a fixed lifetime
however busy it is, so that a browser left open in a hotel lobby or an office does not stay
logged in. Team members, who see other people's data, have shorter limits than delegates.

The limits are settings (`conference/config.py`); the times live in the signed session cookie,
stamped when a log-in first answers.
"""

import time

from flask import Flask, current_app, flash, session
from flask_login import current_user, logout_user

LOGGED_IN_AT = "logged_in_at"  # when the session's log-in happened, in seconds since the epoch
SEEN_AT = "seen_at"  # when the session last made a request, to the minute
SEEN_EVERY = 60  # seconds: how stale `SEEN_AT` may be before a request renews it


def limits_of(user) -> tuple[int, int]:
    """The idle timeout and the lifetime of the user's sessions, in seconds: a team member's
    (of any event) or a delegate's."""
    config = current_app.config
    if user.team_roles:
        return config["TEAM_SESSION_IDLE_MINUTES"] * 60, config[
            "TEAM_SESSION_LIFETIME_HOURS"
        ] * 3600
    return config["SESSION_IDLE_MINUTES"] * 60, config["SESSION_LIFETIME_HOURS"] * 3600


def register(app: Flask) -> None:
    @app.before_request
    def end_an_expired_session():
        if not current_user.is_authenticated or LOGGED_IN_AT not in session:
            return
        now = int(time.time())
        idle, lifetime = limits_of(current_user)
        logged_in_at = session[LOGGED_IN_AT]
        seen_at = session.get(SEEN_AT, logged_in_at)
        if now - seen_at > idle or now - logged_in_at > lifetime:
            logout_user()
            session.clear()
            flash("Your session has ended, as it does after a while: please log in again.", "info")
        elif now - seen_at >= SEEN_EVERY:
            session[SEEN_AT] = now

    @app.after_request
    def stamp_a_new_log_in(response):
        if current_user.is_authenticated and LOGGED_IN_AT not in session:
            session[LOGGED_IN_AT] = session[SEEN_AT] = int(time.time())
        return response
