"""Counters that slow abuse without locking anyone out, shared by every app instance (the rate
limiter's storage: Redis when RATELIMIT_STORAGE_URI names it).

- Wrong passwords for one account, from any address: past LOGIN_ALARM_LIMIT the owner is
  mailed and the audit log says so, once in each of its windows. Nobody is locked out: a
  lock-out per account would let anyone shut its owner out. (The log-in view slows guessing
  per address and per address-and-account with the rate limiter itself.)
- Emails to one recipient that anyone can cause (a password reset): past RESET_MAIL_LIMIT
  none is queued, and the page says the same as ever.

The keys are keyed hashes, so the storage holds neither addresses nor user ids in the clear.
"""

import hashlib
import hmac

import sqlalchemy as sa
from flask import current_app
from limits import RateLimitItem, parse_many

from conference.extensions import db, limiter
from conference.models import User
from conference.services.audit.writing import log_action
from conference.services.links import absolute_url
from conference.services.mail.sending import account_event, send_email


def counter_key(*parts: str) -> str:
    """A key for the limiter's storage that tells nothing of what it counts."""
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, "\x1f".join(parts).encode(), hashlib.sha256).hexdigest()[:32]


def _hit(item: RateLimitItem, *key: str) -> bool:
    """Count one against `item` under `key` (after the limiter's own prefix, as its limits
    are); False when that goes past it."""
    prefix = current_app.config.get("RATELIMIT_KEY_PREFIX")
    return limiter.limiter.hit(item, *([prefix] if prefix else []), *key)


def _first_beyond(item: RateLimitItem, *key: str) -> bool:
    """True only for the first count past `item` in its window: an alarm is raised once."""
    return _hit(type(item)(1, item.multiples), *key, "raised")


def note_failed_log_in(user: User) -> None:
    """A wrong password for `user`, from anywhere: past LOGIN_ALARM_LIMIT, tell the owner.

    The alarm is written in a transaction of its own, since the refused log-in's is rolled back.
    """
    key = ("log-in alarm", counter_key("account", str(user.id)))
    items = parse_many(current_app.config["LOGIN_ALARM_LIMIT"])
    beyond = [item for item in items if not _hit(item, *key)]
    if not any(_first_beyond(item, *key) for item in beyond):
        return
    with sa.orm.Session(db.engine) as separate, separate.begin():
        owner = separate.get(User, user.id)
        log_action("user.login_alarm", owner, actor=None, into=separate)
        send_email(
            "login_alarm",
            to=owner,
            event=account_event(owner),
            values={
                "name": owner.name,
                "reset_link": absolute_url("accounts.request_password_reset"),
            },
            into=separate,
        )


def may_mail(recipient: str, kind: str) -> bool:
    """Whether one more email of `kind` that anyone can cause may go to `recipient` now."""
    key = (kind, counter_key("recipient", recipient))
    return all([_hit(item, *key) for item in parse_many(current_app.config["RESET_MAIL_LIMIT"])])
