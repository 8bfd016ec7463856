"""Accounts: sign-up, email verification, log-in, password reset, and the owner's changes to
their name, email address and password.

Answers never tell whether an address has an account: sign-up and reset requests look the same
either way, and the owner of the address is the only one told.
"""

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

import argon2.profiles
import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from conference.extensions import db
from conference.models import EMAIL_LANGUAGES, User, utcnow
from conference.models.user import new_session_token
from conference.services.audit.writing import log_action
from conference.services.errors import (
    DomainError,
    InvalidCredentials,
    InvalidToken,
)
from conference.services.links import absolute_url
from conference.services.mail.sending import account_event, language_of, send_email
from conference.services.people import throttling

PASSWORD_MIN_LENGTH = 12
PASSWORD_MAX_LENGTH = 1024


@dataclass(frozen=True)
class _PasswordHashing:
    hasher: PasswordHasher
    # Checked on a failed look-up, so that an unknown address takes as long as a wrong password.
    dummy_hash: str


def _password_hashing() -> _PasswordHashing:
    """argon2id at the cost the app's settings name (PASSWORD_HASH_PROFILE), made once per app."""
    hashing = current_app.extensions.get("password_hashing")
    if hashing is None:
        profile = getattr(argon2.profiles, current_app.config["PASSWORD_HASH_PROFILE"])
        hasher = PasswordHasher.from_parameters(profile)
        hashing = _PasswordHashing(hasher, hasher.hash("not a real password, only for timing"))
        current_app.extensions["password_hashing"] = hashing
    return hashing


def normalise_email(email: str) -> str:
    return email.strip().lower()


def hash_password(password: str) -> str:
    return _password_hashing().hasher.hash(password)


def find_user(email: str) -> User | None:
    return db.session.scalars(sa.select(User).where(User.email == normalise_email(email))).first()


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"conference.{purpose}")


def _password_fingerprint(user: User) -> str:
    """Changes with the password, so a reset link works once."""
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def _queue_verification(user: User, next_url: str | None) -> None:
    """The link carries where the person was going, signed with it, so it leads there from any
    browser: the email is often opened in another one than the sign-up's."""
    token = _serializer("verify-email").dumps(
        {"user": user.id, "email": user.email, **({"next": next_url} if next_url else {})}
    )
    send_email(
        "verify_email",
        to=user,
        event=account_event(user, next_url),
        values={
            "link": absolute_url("accounts.verify_email", token=token),
            "hours": str(current_app.config["EMAIL_VERIFICATION_MAX_AGE"] // 3600),
        },
    )


def sign_up(
    name: str, email: str, password: str, next_url: str | None = None, language: str = "en"
) -> User | None:
    """Create an unverified account and mail its verification link, which leads on to
    `next_url` (a path on this site, checked by the caller) after log-in. Its emails are
    written in `language` (the one the browser asked for, if we write in it), until the person
    chooses another on their account page.

    If the address already has an account, nothing is created and its owner is told by email
    instead; the caller shows the same page either way.
    """
    email = normalise_email(email)
    existing = find_user(email)
    if existing is not None:
        hash_password(password)  # as slow as a real sign-up, so timing tells nothing
        send_email(
            "account_exists",
            to=existing,
            event=account_event(existing, next_url),
            values={
                "name": existing.name,
                "login_link": absolute_url("accounts.login", next=next_url),
                "reset_link": absolute_url("accounts.request_password_reset"),
            },
        )
        return None
    user = User(
        name=name.strip(),
        email=email,
        password_hash=hash_password(password),
        locale=language if language in EMAIL_LANGUAGES else "en",
    )
    db.session.add(user)
    db.session.flush()
    log_action("user.signed_up", user, actor=user)
    _queue_verification(user, next_url)
    return user


class Verified(NamedTuple):
    user: User
    next_url: str | None  # where the person was going when they signed up, as they gave it


def verify_email(token: str, now: datetime | None = None) -> Verified:
    """Mark the address verified, if the link is genuine and not older than allowed."""
    try:
        payload = _serializer("verify-email").loads(
            token, max_age=current_app.config["EMAIL_VERIFICATION_MAX_AGE"]
        )
    except SignatureExpired as error:
        raise InvalidToken(
            "This verification link has expired. Log in to get a new one."
        ) from error
    except BadSignature as error:
        raise InvalidToken("This verification link is not valid.") from error
    user = db.session.get(User, payload.get("user"))
    if user is None or user.email != payload.get("email"):
        raise InvalidToken("This verification link is not valid.")
    if user.email_verified_at is None:
        user.email_verified_at = now or utcnow()
        log_action("user.verified_email", user, actor=user)
    return Verified(user, payload.get("next"))


# What the log-in form says to the owner of an address not verified yet, who gave the right
# password: they are not logged in, and `authenticate` has sent them a new link.
VERIFY_FIRST = "Please verify your email address first: we have sent you a new link."


def authenticate(email: str, password: str, next_url: str | None = None) -> User:
    """The user with this address and password. One whose address is not verified yet is not
    logged in: they are sent a new verification link (leading on to `next_url` like the first),
    which the caller keeps by committing, and the caller tells them `VERIFY_FIRST`."""
    user = find_user(email)
    hashing = _password_hashing()
    try:
        hashing.hasher.verify(user.password_hash if user else hashing.dummy_hash, password)
    except (VerificationError, InvalidHashError) as error:
        if user is not None:
            throttling.note_failed_log_in(user)
        raise InvalidCredentials("That email address and password do not match.") from error
    if user is None:
        raise InvalidCredentials("That email address and password do not match.")
    if hashing.hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    if not user.is_verified:
        _queue_verification(user, next_url)
        return user
    log_action("user.logged_in", user, actor=user)
    return user


def request_password_reset(email: str, language: str = "en") -> None:
    """Mail a reset link if the address has an account, and otherwise a note that it has none,
    written in `language` (the browser's), as an address without an account has no choice.

    Either way one email is queued, so neither the page nor its timing tells the two apart;
    past RESET_MAIL_LIMIT for the address, none is, whether or not it has an account.
    """
    email = normalise_email(email)
    if not throttling.may_mail(email, "password reset"):
        return  # enough links for one mailbox for now: a flood of requests sends no more
    user = find_user(email)
    if user is None:
        send_email(
            "reset_password_no_account",
            to=email,
            event=account_event(None),
            language=language,
            values={"signup_link": absolute_url("accounts.signup")},
        )
        return
    token = _serializer("reset-password").dumps(
        {"user": user.id, "password": _password_fingerprint(user)}
    )
    send_email(
        "reset_password",
        to=user,
        event=account_event(user),
        values={
            "name": user.name,
            "link": absolute_url("accounts.reset_password", token=token),
            "minutes": str(current_app.config["PASSWORD_RESET_MAX_AGE"] // 60),
        },
    )


def user_for_reset_token(token: str) -> User:
    try:
        payload = _serializer("reset-password").loads(
            token, max_age=current_app.config["PASSWORD_RESET_MAX_AGE"]
        )
    except SignatureExpired as error:
        raise InvalidToken("This reset link has expired. Ask for a new one.") from error
    except BadSignature as error:
        raise InvalidToken("This reset link is not valid.") from error
    user = db.session.get(User, payload.get("user"))
    if user is None or payload.get("password") != _password_fingerprint(user):
        raise InvalidToken("This reset link has been used already. Ask for a new one.")
    return user


def reset_password(token: str, new_password: str, now: datetime | None = None) -> User:
    """Set a new password from a valid reset link; the link then stops working.

    A reset also proves the address, and ends every session opened with the old password.
    """
    user = user_for_reset_token(token)
    user.password_hash = hash_password(new_password)
    user.session_token = new_session_token()
    if user.email_verified_at is None:
        user.email_verified_at = now or utcnow()
    log_action("user.reset_password", user, actor=user)
    return user


def user_for_session(session_id: str) -> User | None:
    """Flask-Login's loader: the user behind a login cookie, if that session is still valid."""
    user_id, _, token = session_id.partition(":")
    if not user_id.isdigit() or not token:
        return None
    user = db.session.get(User, int(user_id))
    if user is None or user.session_token != token:
        return None
    return user


def log_out(user: User) -> None:
    """Log-out ends the session on the server: a copy of its cookie stops working too (and so
    does every other session of the account, which shares the token)."""
    user.session_token = new_session_token()
    log_action("user.logged_out", user, actor=user)


def end_all_sessions(user: User) -> None:
    """Every login cookie issued so far stops working, the current one included."""
    user.session_token = new_session_token()
    log_action("user.ended_all_sessions", user, actor=user)


# --- changes to one's own account -------------------------------------------------------------


class AccountChangeRefused(DomainError):
    """A change to one's own account the rules do not allow."""

    status_code = 400


def check_password(user: User, password: str, field: str) -> None:
    try:
        _password_hashing().hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError) as error:
        raise AccountChangeRefused("That is not your password.", field) from error


def change_name(user: User, name: str) -> None:
    """The owner of an account may call it what they like (the form keeps web addresses out)."""
    name = name.strip()
    if name != user.name:
        user.name = name
        log_action("user.changed_name", user, actor=user)


def change_language(user: User, language: str) -> None:
    """The language `user`'s emails are written in from now on: one of EMAIL_LANGUAGES."""
    if language not in EMAIL_LANGUAGES:
        raise AccountChangeRefused("Choose one of the languages offered.", "language")
    if user.locale != language:
        previous, user.locale = user.locale, language
        log_action("user.changed_language", user, actor=user, previous=previous, language=language)


def request_email_change(user: User, new_email: str, password: str) -> None:
    """Ask for a new log-in address, proven by the account's password; it counts only once the
    link mailed to it is followed (`confirm_email_change`), and the old address is told.

    An address that has an account already gets a note instead of a link, and nothing else
    differs: neither the page nor the old address learns whether the address is in use, as
    with sign-up.
    """
    check_password(user, password, "password")
    new_email = normalise_email(new_email)
    if new_email == user.email:
        raise AccountChangeRefused("That is your email address already.", "email")
    user.pending_email = new_email
    taken = find_user(new_email) is not None
    log_action("user.asked_to_change_email", user, actor=user)
    event = account_event(user)
    reset_link = absolute_url("accounts.request_password_reset")
    if taken:
        send_email(
            "email_change_address_taken",
            to=new_email,
            event=event,
            values={"login_link": absolute_url("accounts.login"), "reset_link": reset_link},
        )
    else:
        token = _serializer("change-email").dumps({"user": user.id, "email": new_email})
        send_email(
            "email_change_confirm",
            to=new_email,
            event=event,
            language=language_of(user),  # the address has no account yet: it is the asker's
            values={
                "link": absolute_url("accounts.confirm_email_change", token=token),
                "hours": str(current_app.config["EMAIL_VERIFICATION_MAX_AGE"] // 3600),
            },
        )
    send_email(
        "email_change_notice",
        to=user,
        event=event,
        values={
            "name": user.name,
            "new_email": new_email,
            "account_link": absolute_url("accounts.home"),
            "reset_link": reset_link,
        },
    )


def confirm_email_change(user: User, token: str, now: datetime | None = None) -> None:
    """Make the new address `user`'s log-in, if the link is genuine, not too old, theirs, for
    the change asked for last, and the address still has no account.

    Only the account's owner, logged in, confirms: whoever got the link through a mistyped
    address could otherwise make it theirs and take the account over by a password reset.
    """
    try:
        payload = _serializer("change-email").loads(
            token, max_age=current_app.config["EMAIL_VERIFICATION_MAX_AGE"]
        )
    except SignatureExpired as error:
        raise InvalidToken(
            "This link has expired. Ask for the change again on your account page."
        ) from error
    except BadSignature as error:
        raise InvalidToken("This link is not valid.") from error
    if payload.get("user") != user.id:
        raise InvalidToken(
            "This link is for another account. Log out, then open it again and log in with "
            "the account that asked for the change."
        )
    new_email = payload.get("email")
    if user.pending_email != new_email:
        raise InvalidToken(
            "This link is no longer valid: a later change replaced it, or it was used already."
        )
    if find_user(new_email) is not None:
        raise InvalidToken(
            "This address has an account of its own now, so it cannot be yours as well. "
            "Nothing has changed."
        )
    previous = user.email
    user.email, user.pending_email = new_email, None
    user.email_verified_at = now or utcnow()
    log_action("user.changed_email", user, actor=user, previous_email=previous)


def change_password(user: User, current_password: str, new_password: str) -> None:
    """A new password, for whoever knows the current one; every other session ends (the
    caller logs the current one in again) and the account's address is told."""
    check_password(user, current_password, "current_password")
    user.password_hash = hash_password(new_password)
    user.session_token = new_session_token()
    log_action("user.changed_password", user, actor=user)
    send_email(
        "password_changed",
        to=user,
        event=account_event(user),
        values={"name": user.name, "reset_link": absolute_url("accounts.request_password_reset")},
    )
