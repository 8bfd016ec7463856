"""A delegate's copy of everything the conference holds about them (the right of access), as
JSON: their account, every registration with every field, their consents, workshop places,
check-ins, attendance, visa letters with their passport details, badges, and the emails sent
to them. Secrets that open something (password hash, session and two-factor secrets, badge
tokens, letter codes) stay out: they are not about the person, and a copy of them is a key."""

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from conference.extensions import db
from conference.models import (
    Badge,
    CheckIn,
    OutboxEmail,
    ProgrammeSession,
    Registration,
    SessionAttendance,
    SessionSignup,
    User,
    VisaLetter,
    utcnow,
)
from conference.services.audit.writing import log_action
from conference.services.mail import deliveries
from conference.services.registration import workflow

# Columns that are keys to something, not facts about the person.
SECRETS = {
    "password_hash",
    "session_token",
    "totp_secret",
    "totp_last_step",
    "nonce",
    "token_hash",
    "code_hash",
}


# In place of the words of an email that held a link or code that opens something.
WORDS_LEFT_OUT = "Left out: it held a link or code that opens your account or an invitation."


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date | datetime) else value


def _columns(row: Any, *leave_out: str) -> dict[str, Any]:
    """Every column of `row`, secrets and `leave_out` aside, as JSON takes it."""
    return {
        column.key: _plain(getattr(row, column.key))
        for column in sa.inspect(type(row)).columns
        if column.key not in SECRETS and column.key not in leave_out
    }


def _of(model, registration_ids: list[int]) -> dict[int, list]:
    found: dict[int, list] = {}
    for row in db.session.scalars(
        sa.select(model).where(model.registration_id.in_(registration_ids)).order_by(model.id)
    ):
        found.setdefault(row.registration_id, []).append(row)
    return found


def _session_title(session: ProgrammeSession) -> dict[str, Any]:
    return {"session": session.title, "starts_at": _plain(session.starts_at)}


def _registration(registration: Registration, rows: dict[str, dict[int, list]]) -> dict:
    def of(kind: str) -> list:
        return rows[kind].get(registration.id, [])

    return {
        "event": registration.event.name,
        **_columns(registration),
        "organisation": registration.organisation_name,
        "consents": [
            _columns(consent, "id", "registration_id") for consent in registration.consents
        ],
        "workshop_places": [
            {**_session_title(s.session), **_columns(s, "id", "registration_id")}
            for s in of("signups")
        ],
        "check_ins": [_columns(c, "id", "registration_id", "event_id") for c in of("check_ins")],
        "session_attendance": [
            {**_session_title(a.session), **_columns(a, "id", "registration_id")}
            for a in of("attendance")
        ],
        "visa_letters": [_columns(v, "id", "registration_id") for v in of("letters")],
        "badges": [_columns(b, "id", "registration_id") for b in of("badges")],
    }


def _email(email: OutboxEmail) -> dict[str, Any]:
    """An email sent to them: when, to which address, what, and how its delivery went; its
    words too, unless they hold a key (a link to choose a password, an invitation code)."""
    return {
        "queued_at": _plain(email.created_at),
        "recipient": email.recipient,
        "email": deliveries.what_email(email),
        "subject": email.subject,
        "state": email.state.value,
        "sent_at": _plain(email.sent_at),
        "attempts": email.attempts,
        "mail_server_answer": email.last_error,
        "text": email.body_text if deliveries.body_may_be_shown(email) else WORDS_LEFT_OUT,
    }


def data_of(user: User, now: datetime | None = None) -> dict[str, Any]:
    """Everything about `user`, for them to download; the download is audited."""
    now = now or utcnow()
    registrations = workflow.registrations_of(user)
    ids = [r.id for r in registrations]
    rows = {
        "signups": _of(SessionSignup, ids),
        "check_ins": _of(CheckIn, ids),
        "attendance": _of(SessionAttendance, ids),
        "letters": _of(VisaLetter, ids),
        "badges": _of(Badge, ids),
    }
    addresses = {user.email, user.pending_email} - {None}
    emails = db.session.scalars(
        sa.select(OutboxEmail)
        .where(sa.or_(OutboxEmail.user_id == user.id, OutboxEmail.recipient.in_(addresses)))
        .order_by(OutboxEmail.created_at, OutboxEmail.id)
    )
    log_action("user.downloaded_data", user, actor=user, at=now)
    return {
        "made_at": now.isoformat(),
        "account": _columns(user),
        "team_roles": [_columns(member, "user_id") for member in user.team_roles],
        "registrations": [_registration(r, rows) for r in registrations],
        "emails": [_email(e) for e in emails],
    }
