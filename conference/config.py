"""Settings read from environment variables, with safe defaults for development.

`CONFERENCE_ENV` is `development` (the default) or `production`. Production refuses to start
without a real `SECRET_KEY` or with the tests' cheap password hashing, and sends cookies over
HTTPS only.
"""

import os
import secrets
from pathlib import Path


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _development_secret_key(instance_path: str) -> str:
    """A random key kept in the instance folder, so development sessions survive a restart."""
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def _development_server_url() -> str:
    """The address `flask run` serves on: FLASK_RUN_HOST and FLASK_RUN_PORT, which `make run`
    sets. A server listening on every interface is reached on this machine at 127.0.0.1."""
    host = os.environ.get("FLASK_RUN_HOST") or "127.0.0.1"
    if host in {"0.0.0.0", "::"}:  # noqa: S104 (compared, not bound to)
        host = "127.0.0.1"
    return f"http://{host}:{os.environ.get('FLASK_RUN_PORT') or 5000}"


def settings_from_environment(instance_path: str) -> dict:
    env = os.environ.get("CONFERENCE_ENV", "development")
    production = env == "production"
    secret_key = os.environ.get("SECRET_KEY")
    if not secret_key:
        if production:
            raise RuntimeError("SECRET_KEY must be set when CONFERENCE_ENV=production")
        secret_key = _development_secret_key(instance_path)

    database_url = os.environ.get("DATABASE_URL") or "sqlite:///" + str(
        Path(instance_path) / "conference.sqlite3"
    )
    if database_url.startswith("postgres://"):
        database_url = "postgresql://" + database_url.removeprefix("postgres://")
    if database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url.removeprefix("postgresql://")

    # What the site calls itself: page titles and headers, the sender of its emails, the account
    # name in authenticator apps.
    site_name = os.environ.get("SITE_NAME", "VGT Conference").strip() or "VGT Conference"

    return {
        "CONFERENCE_ENV": env,
        "SITE_NAME": site_name,
        "SECRET_KEY": secret_key,
        "SQLALCHEMY_DATABASE_URI": database_url,
        # Query values are participants' data: keep them out of error messages and logs.
        # Connections idle for a while are tried before use (`extensions.IDLE_BEFORE_PING`).
        "SQLALCHEMY_ENGINE_OPTIONS": {"hide_parameters": True},
        # How many reverse proxies (nginx, a load balancer) stand in front of the app: their
        # X-Forwarded-For tells the client's address, which the log-in rate limit counts by.
        "PROXY_FIX_HOPS": int(os.environ.get("PROXY_FIX_HOPS", "0")),
        # Links in emails are built on this address, never on the request's Host header.
        "BASE_URL": (os.environ.get("BASE_URL") or _development_server_url()).rstrip("/"),
        "PREFERRED_URL_SCHEME": "https" if production else "http",
        "SESSION_COOKIE_SECURE": production,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        # A logged-in session ends after this long without a request, and this long after its
        # log-in however busy; team members' sooner (`session_lifetime`).
        "SESSION_IDLE_MINUTES": int(os.environ.get("SESSION_IDLE_MINUTES", "120")),
        "SESSION_LIFETIME_HOURS": int(os.environ.get("SESSION_LIFETIME_HOURS", "72")),
        "TEAM_SESSION_IDLE_MINUTES": int(os.environ.get("TEAM_SESSION_IDLE_MINUTES", "30")),
        "TEAM_SESSION_LIFETIME_HOURS": int(os.environ.get("TEAM_SESSION_LIFETIME_HOURS", "12")),
        # A token lives as long as the session it belongs to, so that a long form filled in
        # slowly is not refused (and its input lost) for age alone.
        "WTF_CSRF_TIME_LIMIT": None,
        # Uploads (a CSV import) bigger than this are refused before they are read.
        "MAX_CONTENT_LENGTH": 8 * 1024 * 1024,
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_HEADERS_ENABLED": True,
        # Every limit of a refused request is checked, so that the wait it is told (Retry-After)
        # is that of the longest window it went past, not of the first.
        "RATELIMIT_FAIL_ON_FIRST_BREACH": False,
        # Log-in, sign-up and reset forms, per client address.
        "LOGIN_RATE_LIMIT": os.environ.get("LOGIN_RATE_LIMIT", "10 per minute;50 per hour"),
        "INVITATION_CODE_RATE_LIMIT": os.environ.get(
            "INVITATION_CODE_RATE_LIMIT", "10 per minute;50 per hour"
        ),
        # Wrong passwords from one address for one account: the wait grows with them.
        "LOGIN_GUESS_LIMIT": os.environ.get(
            "LOGIN_GUESS_LIMIT", "3 per minute;10 per hour;20 per day"
        ),
        # Wrong passwords for one account from anywhere: past this its owner is told (an alarm
        # rather than a lock-out, which would let anyone shut the owner out).
        "LOGIN_ALARM_LIMIT": os.environ.get("LOGIN_ALARM_LIMIT", "20 per hour"),
        # Reset emails to one address, whoever asks for them.
        "RESET_MAIL_LIMIT": os.environ.get("RESET_MAIL_LIMIT", "3 per hour;10 per day"),
        "LETTER_CHECK_RATE_LIMIT": os.environ.get(
            "LETTER_CHECK_RATE_LIMIT", "10 per minute;100 per day"
        ),
        "MAIL_BACKEND": os.environ.get("MAIL_BACKEND", "smtp" if production else "console"),
        "MAIL_SERVER": os.environ.get("MAIL_SERVER", "localhost"),
        "MAIL_PORT": int(os.environ.get("MAIL_PORT", "25")),
        "MAIL_USE_TLS": _flag("MAIL_USE_TLS", False),
        "MAIL_USE_SSL": _flag("MAIL_USE_SSL", False),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD") or None,
        "MAIL_TIMEOUT": float(os.environ.get("MAIL_TIMEOUT", "10")),
        # The mail worker (`send-mail`): how many due emails one claim takes; how long a claim
        # holds before it lapses (a worker that died mid-send leaves its emails to another; far
        # above MAIL_TIMEOUT, so a live worker is never overtaken); how many failed attempts
        # before it gives up on an email.
        "MAIL_BATCH_SIZE": int(os.environ.get("MAIL_BATCH_SIZE", "50")),
        "MAIL_CLAIM_TIMEOUT": float(os.environ.get("MAIL_CLAIM_TIMEOUT", "300")),
        "MAIL_MAX_ATTEMPTS": int(os.environ.get("MAIL_MAX_ATTEMPTS", "10")),
        "MAIL_DEFAULT_SENDER": os.environ.get(
            "MAIL_DEFAULT_SENDER", f"{site_name} <conference@localhost>"
        ),
        # The cost of argon2id password hashes: one of argon2-cffi's `argon2.profiles`. The tests
        # hash hundreds of passwords with "CHEAPEST", which production refuses.
        "PASSWORD_HASH_PROFILE": "RFC_9106_LOW_MEMORY",
        # How long the links we mail stay valid.
        "EMAIL_VERIFICATION_MAX_AGE": 48 * 3600,
        "PASSWORD_RESET_MAX_AGE": 3600,
    }


# Password hashing a production server may use: the RFC 9106 recommendations.
PRODUCTION_PASSWORD_HASH_PROFILES = {"RFC_9106_LOW_MEMORY", "RFC_9106_HIGH_MEMORY"}


def refuse_unsafe_production_settings(config) -> None:
    """Production starts only with settings fit for it, whatever `create_app` was handed."""
    if config["CONFERENCE_ENV"] != "production":
        return
    profile = config["PASSWORD_HASH_PROFILE"]
    if profile not in PRODUCTION_PASSWORD_HASH_PROFILES:
        raise RuntimeError(
            f"PASSWORD_HASH_PROFILE={profile} is for tests only; production hashes passwords "
            f"with one of {', '.join(sorted(PRODUCTION_PASSWORD_HASH_PROFILES))}"
        )
