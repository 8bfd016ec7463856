"""The organisers' view of the outbox: every email of an event with its delivery, and sending
again what the worker gave up on.

An email's state is the model's `OutboxEmail.state`; the filters below say the same in SQL, so
that a tab's count and its rows always agree. Sending again resets the fields the worker reads
(the agreed meaning of the outbox's columns): the worker then treats the email as new, with the
Message-ID it was queued with.
"""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from conference.extensions import db
from conference.models import DeliveryState, Event, OutboxEmail, Registration, User, utcnow
from conference.services.audit.writing import log_action
from conference.services.errors import AlreadyDone, InvalidTransition
from conference.services.mail.catalogue import KINDS
from conference.services.search import contains

MESSAGE_KINDS = ("message", "message_test")  # an organiser's message, and its test copy


def body_may_be_shown(email: OutboxEmail) -> bool:
    """Whether the email's words may leave the outbox again (in a delegate's data export)."""
    kind = KINDS.get(email.kind)
    return kind.body_may_be_shown if kind else email.kind in MESSAGE_KINDS


def what_email(email: OutboxEmail) -> str:
    """What organisers call the email: its kind's title in the catalogue, "Message" for a
    message to a group, and for an email of no known kind its subject."""
    if email.kind in KINDS:
        return KINDS[email.kind].title
    if email.kind in MESSAGE_KINDS:
        return "Message" if email.kind == "message" else "Message (test)"
    return email.subject


# --- the list -----------------------------------------------------------------------------------

_IN_STATE: dict[DeliveryState, sa.ColumnElement[bool]] = {
    DeliveryState.SENT: OutboxEmail.sent_at.is_not(None),
    DeliveryState.FAILED: sa.and_(
        OutboxEmail.sent_at.is_(None), OutboxEmail.gave_up_at.is_not(None)
    ),
    DeliveryState.SENDING: sa.and_(
        OutboxEmail.sent_at.is_(None),
        OutboxEmail.gave_up_at.is_(None),
        OutboxEmail.claimed_at.is_not(None),
    ),
    DeliveryState.WAITING: sa.and_(
        OutboxEmail.sent_at.is_(None),
        OutboxEmail.gave_up_at.is_(None),
        OutboxEmail.claimed_at.is_(None),
    ),
}


@dataclass(frozen=True)
class DeliveryFilter:
    state: DeliveryState | None = None
    recipient: str = ""  # part of the address, or of the name of the account it went to

    def as_args(self) -> dict[str, str]:
        return {
            **({"state": self.state.value} if self.state else {}),
            **({"q": self.recipient} if self.recipient else {}),
        }


def _narrowed(query: sa.Select, event: Event, narrow: DeliveryFilter) -> sa.Select:
    query = query.where(OutboxEmail.event_id == event.id)
    if narrow.state is not None:
        query = query.where(_IN_STATE[narrow.state])
    if narrow.recipient:
        named = sa.select(User.id).where(contains(User.name, narrow.recipient))
        query = query.where(
            sa.or_(
                contains(OutboxEmail.recipient, narrow.recipient),
                OutboxEmail.user_id.in_(named),
            )
        )
    return query


def deliveries_query(event: Event, narrow: DeliveryFilter = DeliveryFilter()) -> sa.Select:
    """The event's emails matching `narrow`, newest first."""
    return _narrowed(sa.select(OutboxEmail), event, narrow).order_by(
        OutboxEmail.created_at.desc(), OutboxEmail.id.desc()
    )


def state_counts(event: Event, recipient: str = "") -> dict[DeliveryState, int]:
    """How many of the event's emails (to `recipient`, when given) are in each state: one
    query."""
    narrow = DeliveryFilter(recipient=recipient)
    state = sa.case(*((where, state.value) for state, where in _IN_STATE.items()))
    rows = db.session.execute(
        _narrowed(sa.select(state, sa.func.count()), event, narrow).group_by(state)
    )
    counted = dict(rows.all())
    return {state: counted.get(state.value, 0) for state in DeliveryState}


def failed_count(event: Event) -> int:
    """How many of the event's emails the worker gave up on: the dashboard's warning."""
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(OutboxEmail)
        .where(OutboxEmail.event_id == event.id, _IN_STATE[DeliveryState.FAILED])
    )


def names_of(emails: list[OutboxEmail]) -> dict[int, str]:
    """The names of the accounts the emails went to, by user id: one query for a page."""
    ids = {email.user_id for email in emails if email.user_id is not None}
    if not ids:
        return {}
    return dict(db.session.execute(sa.select(User.id, User.name).where(User.id.in_(ids))).all())


def email_of(event: Event, email_id: int) -> OutboxEmail | None:
    """One of the event's emails; None for another event's, as for one that does not exist."""
    return db.session.scalars(
        sa.select(OutboxEmail).where(OutboxEmail.id == email_id, OutboxEmail.event_id == event.id)
    ).first()


def emails_to(registration: Registration, limit: int | None = None) -> list[OutboxEmail]:
    """The emails sent to a registration's delegate about its event, newest first: those about
    the registration, and those to the delegate's account that belong to the event."""
    query = (
        sa.select(OutboxEmail)
        .where(
            sa.or_(
                OutboxEmail.registration_id == registration.id,
                sa.and_(
                    OutboxEmail.user_id == registration.user_id,
                    OutboxEmail.event_id == registration.event_id,
                ),
            )
        )
        .order_by(OutboxEmail.created_at.desc(), OutboxEmail.id.desc())
    )
    return db.session.scalars(query.limit(limit) if limit else query).all()


# --- sending again ------------------------------------------------------------------------------


def _again(now: datetime) -> dict:
    """The agreed reset: the worker takes the email as a new one; its last answer stays until
    its next attempt."""
    return {
        "gave_up_at": None,
        "attempts": 0,
        "next_attempt_at": now,
        "claimed_at": None,
        "claimed_by": None,
    }


def send_again(email: OutboxEmail, actor: User, now: datetime | None = None) -> OutboxEmail:
    """Put an email the worker gave up on back in the outbox, audited. Only a failed one: one
    delivered meanwhile, or on its way already (the same form sent twice), is refused.

    One conditional UPDATE decides, so two organisers pressing at once send it once."""
    now = now or utcnow()
    changed = db.session.execute(
        sa.update(OutboxEmail)
        .where(OutboxEmail.id == email.id, _IN_STATE[DeliveryState.FAILED])
        .values(_again(now))
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(email)
    if not changed:
        if email.state == DeliveryState.SENT:
            raise InvalidTransition(
                f"The email to {email.recipient} was delivered meanwhile: nothing to send again."
            )
        raise AlreadyDone(
            f"The email to {email.recipient} is {email.state.value} already: it is on its way, "
            "nothing to send again."
        )
    log_action(
        "email.sent_again",
        email,
        actor=actor,
        event_id=email.event_id,
        at=now,
        recipient=email.recipient,
        subject=email.subject,
    )
    return email


def send_all_failed_again(
    event: Event, narrow: DeliveryFilter, actor: User, now: datetime | None = None
) -> int:
    """Send again every failed email of the event that `narrow`'s search matches, in one
    statement, audited once with their count. None to send (a replayed form): refused."""
    now = now or utcnow()
    failed = DeliveryFilter(DeliveryState.FAILED, narrow.recipient)
    ids = _narrowed(sa.select(OutboxEmail.id), event, failed)
    count = db.session.execute(
        sa.update(OutboxEmail)
        .where(OutboxEmail.id.in_(ids.scalar_subquery()), _IN_STATE[DeliveryState.FAILED])
        .values(_again(now))
        .execution_options(synchronize_session=False)
    ).rowcount
    if not count:
        raise AlreadyDone("No email has failed: there is nothing to send again.")
    log_action(
        "email.sent_all_again",
        event,
        actor=actor,
        event_id=event.id,
        at=now,
        emails=count,
        q=narrow.recipient,
    )
    db.session.expire_all()
    return count
