"""Two-factor log-in: time-based one-time passwords (RFC 6238) and one-time recovery codes.

A code works once: the time step of the last accepted code is kept, and only a later one passes.
"""

import hashlib
import hmac
import io
import secrets
from datetime import datetime

import pyotp
import segno
from flask import current_app

from conference.models import RecoveryCode, User, utcnow
from conference.services.audit.writing import log_action
from conference.services.errors import DomainError

RECOVERY_CODES = 10
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


class InvalidCode(DomainError):
    status_code = 400


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(user: User, secret: str) -> str:
    """What the QR code carries: the otpauth:// address an authenticator app reads, which shows
    the account under the site's name."""
    return pyotp.TOTP(secret).provisioning_uri(
        name=user.email, issuer_name=current_app.config["SITE_NAME"]
    )


def qr_code_svg(uri: str) -> bytes:
    """A standalone SVG document (namespace and all), served as an image of its own."""
    buffer = io.BytesIO()
    segno.make(uri, error="m").save(
        buffer, kind="svg", scale=5, border=2, dark="#15325b", xmldecl=False
    )
    return buffer.getvalue()


def _hash(code: str) -> str:
    return hashlib.sha256(code.replace("-", "").replace(" ", "").lower().encode()).hexdigest()


def _accepted_step(secret: str, code: str, moment: datetime) -> int | None:
    """The time step a six-digit code belongs to, allowing a step of clock drift either way."""
    totp = pyotp.TOTP(secret)
    step = totp.timecode(moment)
    for candidate in (step, step - 1, step + 1):
        if hmac.compare_digest(totp.generate_otp(candidate), code):
            return candidate
    return None


def _new_recovery_codes(user: User) -> list[str]:
    codes = [
        "-".join("".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(4)) for _ in range(3))
        for _ in range(RECOVERY_CODES)
    ]
    user.recovery_codes = [RecoveryCode(code_hash=_hash(code)) for code in codes]
    return codes


def enable(user: User, secret: str, code: str, now: datetime | None = None) -> list[str]:
    """Turn on two-factor log-in once the user proves their app has the secret.

    Returns the recovery codes, to be shown once; only their hashes are kept.
    """
    now = now or utcnow()
    step = _accepted_step(secret, code.strip(), now)
    if step is None:
        raise InvalidCode("That code does not match. Check your app's clock and try the next one.")
    user.totp_secret = secret
    user.totp_enabled_at = now
    user.totp_last_step = step
    codes = _new_recovery_codes(user)
    log_action("user.two_factor_enabled", user, actor=user)
    return codes


def verify(user: User, code: str, now: datetime | None = None) -> None:
    """Accept a fresh authenticator code or an unused recovery code, once; raise otherwise."""
    now = now or utcnow()
    code = code.strip()
    if code.isascii() and code.isdigit() and len(code) == 6 and user.totp_secret:  # not "٣٣٣٣٣٣"
        step = _accepted_step(user.totp_secret, code, now)
        if step is not None and (user.totp_last_step is None or step > user.totp_last_step):
            user.totp_last_step = step
            return
        raise InvalidCode("That code is not valid, or was used already. Wait for the next one.")
    wanted = _hash(code)
    for recovery in user.recovery_codes:
        if recovery.used_at is None and hmac.compare_digest(recovery.code_hash, wanted):
            recovery.used_at = now
            log_action("user.recovery_code_used", user, actor=user)
            return
    raise InvalidCode("That code is not valid, or was used already.")


def recovery_codes_left(user: User) -> int:
    return sum(1 for code in user.recovery_codes if code.used_at is None)
