"""Taking a person out of the database: the one anonymisation behind an erased account and the
retention purge.

A registration stays, so that the event's statistics keep counting it (its status, country
and partner organisation), but it names nobody: it moves to a pseudonym (a `User` row called
"Erased person 7f3a" that cannot log in), every field its delegate typed is blanked, and the
rows that hang on it lose what they said about the person. An erased account becomes that
pseudonym itself, so the audit log still tells one erased person's steps apart from another's.

What each table holds of a person is declared once, below, as a `Part`: a new table with
personal data is one line, and `tests/services/test_erasure.py` searches every column of every
table for a forgotten one.
"""

import html
import json
import re
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from conference.extensions import db
from conference.models import (
    AuditEntry,
    Badge,
    Consent,
    Invitation,
    OutboxEmail,
    RecoveryCode,
    Registration,
    RegistrationNote,
    Speaker,
    TeamInvitation,
    TeamMember,
    User,
    VisaLetter,
)
from conference.models.registration import registration_tag
from conference.models.user import new_session_token
from conference.services.registration.fields import FIELDS, Kind
from conference.services.search import contains

PSEUDONYM_DOMAIN = "erased.invalid"  # .invalid: no mail is ever delivered there


@dataclass(frozen=True)
class Pseudonym:
    name: str  # "Erased person 7f3a": what pages and the audit log show instead
    email: str  # unique, as the account's address must be, and undeliverable


def new_pseudonym() -> Pseudonym:
    token = secrets.token_hex(8)
    return Pseudonym(f"Erased person {token[:4]}", f"erased-{token}@{PSEUDONYM_DOMAIN}")


@dataclass(frozen=True)
class Erasure:
    """One anonymisation: who it is done for, under which pseudonym, and when."""

    pseudonym: Pseudonym
    # The pseudonym's user row, which keeps the registrations from now on (None when there are
    # none to keep: an invitation nobody used).
    holder_id: int | None
    now: datetime


@dataclass(frozen=True)
class Part:
    """The rows of one table that hold a person's data, found by `key` (a registration's id, a
    user's id, or an email address), and what anonymising does to them: delete them, or, when
    `values` is given, set those columns."""

    key: sa.Column
    values: Callable[[Erasure], dict[Any, Any]] | None = None

    def anonymise(self, keys: Iterable[Any], erasure: Erasure) -> None:
        keys = list(keys)
        if not keys:
            return
        table = self.key.expression.table
        statement = (
            sa.delete(table)
            if self.values is None
            else sa.update(table).values(self.values(erasure))
        )
        db.session.execute(statement.where(self.key.in_(keys)))


def _typed_fields_blanked(erasure: Erasure) -> dict[Any, Any]:
    """Every field the delegate filled in, blank; the country and partner organisation stay,
    for the statistics."""
    values: dict[Any, Any] = {}
    for field in FIELDS:
        if field.kind == Kind.ORGANISATION:  # the name typed in, when no partner was chosen
            values[f"{field.name}_other"] = sa.case(
                (Registration.organisation_id.is_(None), ""), else_=None
            )
        elif field.kind not in (Kind.COUNTRY, Kind.CONSENT):  # consents: rows of their own
            values[field.name] = field.blank
    return {
        **values,
        "user_id": erasure.holder_id,
        "decision_reason": None,
        "agenda_feed_version": Registration.agenda_feed_version + 1,  # its calendar link dies
        "anonymised_at": erasure.now,
    }


def _as_invitee(erasure: Erasure) -> dict[Any, Any]:
    return {"name": erasure.pseudonym.name, "email": erasure.pseudonym.email, "organisation": ""}


# An invitation to register that nobody used, by its id (the retention purge's).
AN_INVITATION = Part(Invitation.id, _as_invitee)

# What a registration holds of its delegate, by the registration's id.
OF_A_REGISTRATION: tuple[Part, ...] = (
    Part(Consent.registration_id),  # the directory lists nobody under a pseudonym
    Part(RegistrationNote.registration_id),  # the organisers' notes about them
    Part(registration_tag.c.registration_id),
    Part(VisaLetter.registration_id),  # passport details: an embassy's check finds no letter
    Part(
        Badge.registration_id,
        lambda e: {
            "revoked_at": sa.func.coalesce(
                Badge.revoked_at, sa.bindparam(None, e.now, type_=Badge.revoked_at.type)
            ),
            "revoked_reason": "",
        },
    ),
    Part(Invitation.registration_id, _as_invitee),
    Part(Registration.id, _typed_fields_blanked),
)

# What an account holds of its owner, by the user's id.
OF_AN_ACCOUNT: tuple[Part, ...] = (
    Part(TeamMember.user_id),
    Part(RecoveryCode.user_id),
    # The emails to them, wherever they went, and with them their place among a message's
    # recipients (a message's copies are these rows); the message keeps its count.
    Part(OutboxEmail.user_id),
    Part(Speaker.user_id, lambda e: {"user_id": None}),  # the programme's entry is the organisers'
    Part(
        User.id,
        lambda e: {
            "name": e.pseudonym.name,
            "email": e.pseudonym.email,
            "pending_email": None,
            "password_hash": "",  # no password matches it: nobody logs in as a pseudonym
            "session_token": new_session_token(),
            "email_verified_at": None,
            "totp_secret": None,
            "totp_enabled_at": None,
            "totp_last_step": None,
        },
    ),
)

# What is addressed to a person, by their email addresses.
TO_AN_ADDRESS: tuple[Part, ...] = (
    Part(OutboxEmail.recipient),
    Part(TeamInvitation.email),
    Part(Invitation.email, _as_invitee),
)


def pseudonymous_holder(pseudonym: Pseudonym) -> User:
    """A user row that stands for a delegate whose registration is anonymised while their
    account lives on (the retention purge)."""
    holder = User(name=pseudonym.name, email=pseudonym.email, password_hash="")
    db.session.add(holder)
    db.session.flush()
    return holder


def _said_in(registration: Registration) -> set[str]:
    """What the registration's delegate told or was told in words: its typed fields, the
    organisers' reason and notes, the passport details of its letters."""
    said = {
        str(getattr(registration, column) or "")
        for field in FIELDS
        if field.kind in (Kind.TEXT, Kind.PARAGRAPH, Kind.ORGANISATION)
        for column in field.stored_in
        if not column.endswith("_id")
    }
    said.add(registration.decision_reason or "")
    said.update(note.body for note in registration.notes)
    for name, number in db.session.execute(
        sa.select(VisaLetter.passport_name, VisaLetter.passport_number).where(
            VisaLetter.registration_id == registration.id
        )
    ):
        said.update((name, number))
    return {text for text in said if text.strip()}


def anonymise_registration(registration: Registration, erasure: Erasure) -> None:
    """Take the delegate out of one registration, keeping it counted: the one anonymisation
    of an erased account and of the retention purge. The audit log's entries on it keep what
    happened and who decided, with the delegate's words and name replaced by the pseudonym."""
    db.session.flush()
    said = _said_in(registration)
    user = registration.user
    identity = {user.name, user.email}
    on_it = sa.and_(
        AuditEntry.event_id == registration.event_id,
        sa.or_(
            sa.and_(
                AuditEntry.object_type == "registration",
                AuditEntry.object_id == registration.id,
            ),
            AuditEntry.actor_id == user.id,
        ),
    )
    _scrub_audit(on_it, said | identity, erasure.pseudonym)
    if erasure.holder_id != user.id:  # their steps in this event, taken by the pseudonym
        db.session.execute(
            sa.update(AuditEntry.__table__)
            .where(on_it, AuditEntry.actor_id == user.id)
            .values(actor_id=erasure.holder_id)
        )
    for part in OF_A_REGISTRATION:
        part.anonymise([registration.id], erasure)
    db.session.expire_all()


def anonymise_account(user: User, addresses: set[str], erasure: Erasure) -> None:
    """Take the person out of their account and out of what was addressed to them; the
    caller has anonymised their registrations."""
    db.session.flush()
    identity = {user.name, *addresses}
    for part in OF_AN_ACCOUNT:
        part.anonymise([user.id], erasure)
    for part in TO_AN_ADDRESS:
        part.anonymise(addresses, erasure)
    _scrub_audit(_mentioned_in_details(identity), identity, erasure.pseudonym)
    _scrub_outbox(identity | {html.escape(text) for text in identity}, erasure.pseudonym)
    db.session.expire_all()


# --- words about the person in other rows -------------------------------------------------------


def _pattern(texts: set[str]) -> re.Pattern | None:
    """Matches any of `texts` (a whole word for a name, wherever else it stands)."""
    texts = sorted((t for t in texts if t.strip()), key=len, reverse=True)
    if not texts:
        return None
    return re.compile("|".join(rf"(?<!\w){re.escape(t)}(?!\w)" for t in texts), re.IGNORECASE)


def _mentions(column: sa.ColumnElement, texts: set[str]) -> sa.ColumnElement[bool]:
    """A first sieve in the database: the column holds one of `texts`."""
    return sa.or_(sa.false(), *(contains(column, text) for text in texts if text.strip()))


def _mentioned_in_details(texts: set[str]) -> sa.ColumnElement[bool]:
    """The audit entries whose details hold one of `texts`, as JSON writes it (with \\u
    escapes for any letter beyond ASCII)."""
    return _mentions(
        sa.cast(AuditEntry.details, sa.Text), {json.dumps(text)[1:-1] for text in texts}
    )


def _replaced(value: Any, pattern: re.Pattern, pseudonym: str) -> Any:
    if isinstance(value, str):
        return pattern.sub(pseudonym, value)
    if isinstance(value, list):
        return [_replaced(one, pattern, pseudonym) for one in value]
    if isinstance(value, dict):
        return {key: _replaced(one, pattern, pseudonym) for key, one in value.items()}
    return value


def _scrub_audit(where: sa.ColumnElement[bool], texts: set[str], pseudonym: Pseudonym) -> None:
    """Rewrite the details of the audit entries `where` picks, the person's words and name
    replaced by the pseudonym. The log is append-only to the app; erasure is the one rewrite
    the law asks for, so it goes past the ORM's guard on purpose."""
    pattern = _pattern(texts)
    if pattern is None:
        return
    for entry_id, details in db.session.execute(
        sa.select(AuditEntry.id, AuditEntry.details).where(where)
    ):
        scrubbed = _replaced(details, pattern, pseudonym.name)
        if scrubbed != details:
            db.session.execute(
                sa.update(AuditEntry.__table__)
                .where(AuditEntry.id == entry_id)
                .values(details=scrubbed)
            )


def _scrub_outbox(texts: set[str], pseudonym: Pseudonym) -> None:
    """Emails to other people that name the person (a team invitation from them, say)."""
    pattern = _pattern(texts)
    if pattern is None:
        return
    columns = (OutboxEmail.subject, OutboxEmail.body_text, OutboxEmail.body_html)
    for email in db.session.scalars(
        sa.select(OutboxEmail).where(sa.or_(*(_mentions(c, texts) for c in columns)))
    ):
        for column in columns:
            setattr(email, column.key, pattern.sub(pseudonym.name, getattr(email, column.key)))
