"""An organiser's message to a group of an event's registrations: counted, tried on oneself,
then sent, one copy per recipient with the placeholders filled for them.

The group is the registration list's filter (`RegistrationFilter`), stored with the message as
its query-string arguments; sending reads it afresh. Every copy goes through the outbox in the
transaction that records the message, so the message and its copies exist together or not at
all; reminders (`reminders`) are sent by the same `deliver_to_group`.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from conference.countries import country_name
from conference.extensions import db
from conference.models import (
    EMAIL_LANGUAGES,
    AuditEntry,
    Event,
    Message,
    MessageState,
    Organisation,
    OrganisationKind,
    OutboxEmail,
    ProgrammeSession,
    Registration,
    RegistrationStatus,
    Tag,
    User,
    utcnow,
)
from conference.services.audit.writing import log_action
from conference.services.errors import AlreadyDone, DomainError, NotAllowed
from conference.services.locks import lock_event
from conference.services.mail import outbox
from conference.services.mail.placeholders import (
    REGISTRATION_PLACEHOLDERS,
    event_values,
    registration_values,
)
from conference.services.mail.rendering import check_email_text, fill, render_email
from conference.services.registration.listing import RegistrationFilter, registrations_query
from conference.services.text import counted

MESSAGE_KIND = "message"
TEST_KIND = "message_test"
TEST_MARK = "[Test] "
NAMES_SHOWN = 5  # the first few names beside the count


class GroupChanged(DomainError):
    """The group reaches another number of delegates than the organiser was shown."""

    status_code = 409


@dataclass(frozen=True)
class Reach:
    """How many delegates a group reaches now, and the first few of them by name."""

    count: int
    first: list[Registration]

    @property
    def more(self) -> int:
        return self.count - len(self.first)


def language_of(user: User) -> str:
    """The language a delegate gets their email in: their account's, if we write in it."""
    return user.locale if user.locale in EMAIL_LANGUAGES else "en"


def audience_of(message: Message) -> RegistrationFilter:
    return RegistrationFilter.from_args(message.audience or {})


def recipients(event: Event, filters: RegistrationFilter) -> list[Registration]:
    """Everyone the group holds now, by name: one query, whatever its size."""
    return db.session.scalars(registrations_query(event, filters, sort="name")).unique().all()


def reach(event: Event, filters: RegistrationFilter) -> Reach:
    """The count a message to `filters` would reach now, with its first NAMES_SHOWN names."""
    query = registrations_query(event, filters, sort="name")
    count = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    first = db.session.scalars(query.limit(NAMES_SHOWN)).unique().all()
    return Reach(count, first)


def check_message_text(subject: str, body: str) -> None:
    """A message may use the registration's placeholders, and no others."""
    check_email_text(subject, body, REGISTRATION_PLACEHOLDERS)


def copy_for(subject: str, body: str, registration: Registration):
    """The message as this delegate reads it: in their language, filled with their details."""
    language = language_of(registration.user)
    return render_email(subject, body, registration_values(registration, language), language)


def deliver_to_group(message: Message, now: datetime) -> int:
    """Queue one copy of `message` for each registration its audience holds at this moment and
    mark it sent; the caller's transaction holds the message and its copies together."""
    event = db.session.get(Event, message.event_id)
    group = recipients(event, audience_of(message))
    for registration in group:
        outbox.queue(
            registration.user.email,
            copy_for(message.subject, message.body, registration),
            kind=MESSAGE_KIND,
            event=event,
            user=registration.user,
            registration=registration,
            message=message,
        )
    message.state = MessageState.SENT.value
    message.sent_at = now
    message.recipient_count = len(group)
    return len(group)


def send_test(
    event: Event, *, subject: str, body: str, filters: RegistrationFilter, actor: User
) -> OutboxEmail:
    """The message to the organiser's own address only, filled with the group's first
    recipient's details and marked as a test: no recipient counted, no message recorded."""
    check_message_text(subject, body)
    first = reach(event, filters).first
    if not first:
        raise NotAllowed(
            "This group reaches nobody, so there is no delegate to fill in a test with: choose "
            "another group.",
            field="status",
        )
    copy = copy_for(subject, body, first[0])
    copy = type(copy)(subject=TEST_MARK + copy.subject, text=copy.text, html=copy.html)
    email = outbox.queue(actor.email, copy, kind=TEST_KIND, event=event, user=actor)
    log_action(
        "message.test_sent",
        event,
        actor=actor,
        event_id=event.id,
        subject=subject,
        filled_as=first[0].reference,
    )
    return email


def send_message(
    event: Event,
    *,
    subject: str,
    body: str,
    filters: RegistrationFilter,
    expected: int,
    batch: str,
    actor: User,
    now: datetime | None = None,
) -> Message:
    """Send a message to a group now: one copy to each of its `expected` recipients.

    The form carries a one-time `batch` token: sent twice (a double click, a replay), the
    message goes out once. If the group reaches another number than the organiser was shown
    (someone was approved meanwhile, a filter was changed), nothing is sent and GroupChanged
    says the new count.
    """
    now = now or utcnow()
    check_message_text(subject, body)
    event = lock_event(event.id)  # one send per event at a time: the batch check holds
    sent_before = db.session.scalar(
        sa.select(AuditEntry.object_id).where(
            AuditEntry.event_id == event.id,
            AuditEntry.action == "message.sent",
            AuditEntry.details["batch"].as_string() == batch,
        )
    )
    if sent_before is not None:
        raise AlreadyDone("That message was sent already; nobody got it twice.")
    count = reach(event, filters).count
    if count != expected:
        raise GroupChanged(
            f"The group changed since it was counted: it now reaches "
            f"{counted(count, 'delegate')}, not {expected}. Nothing was sent; look at the "
            "count and send again.",
        )
    if count == 0:
        raise NotAllowed("This group reaches nobody: choose another group.", field="status")
    message = Message(
        event_id=event.id,
        subject=subject,
        body=body,
        audience=filters.as_args(),
        is_reminder=False,
        send_at=now,
        created_by_id=actor.id,
        created_at=now,
    )
    db.session.add(message)
    db.session.flush()
    sent = deliver_to_group(message, now)
    log_action(
        "message.sent",
        message,
        actor=actor,
        event_id=event.id,
        subject=subject,
        recipients=sent,
        filters=message.audience,
        batch=batch,
    )
    return message


def title_of(message: Message, event: Event) -> str:
    """A message's subject with the event's placeholders filled, as the lists show it; a
    delegate's own ones ({name}) stay as written."""
    return " ".join(fill(message.subject, event_values(event, "en")).split())


def message_of(event: Event, message_id: int) -> Message | None:
    message = db.session.get(Message, message_id)
    return message if message is not None and message.event_id == event.id else None


def sent_messages(event: Event) -> list[Message]:
    """The event's messages that went out, reminders included, newest first."""
    return db.session.scalars(
        sa.select(Message)
        .where(Message.event_id == event.id, Message.state == MessageState.SENT)
        .order_by(Message.sent_at.desc(), Message.id.desc())
    ).all()


# The delivery states in SQL, as OutboxEmail.state says them, to count a message's copies.
_STATE = sa.case(
    (OutboxEmail.sent_at.is_not(None), "sent"),
    (OutboxEmail.gave_up_at.is_not(None), "failed"),
    (OutboxEmail.claimed_at.is_not(None), "sending"),
    else_="waiting",
)


def delivery_counts(messages: list[Message]) -> dict[int, Counter]:
    """For each message, how many of its copies are sent, waiting, sending and failed: one
    query for the whole page."""
    counts: dict[int, Counter] = {message.id: Counter() for message in messages}
    if counts:
        rows = db.session.execute(
            sa.select(OutboxEmail.message_id, _STATE, sa.func.count())
            .where(OutboxEmail.message_id.in_(counts))
            .group_by(OutboxEmail.message_id, _STATE)
        )
        for message_id, state, count in rows:
            counts[message_id][state] = count
    return counts


def copies_page(message: Message, page: int, per_page: int):
    """One page of the message's copies in the order they were queued, and the registrations
    they went to by id: two queries, however many recipients the message had."""
    copies = db.paginate(
        sa.select(OutboxEmail).where(OutboxEmail.message_id == message.id).order_by(OutboxEmail.id),
        page=page,
        per_page=per_page,
        max_per_page=per_page,
        error_out=False,
    )
    wanted = {copy.registration_id for copy in copies.items if copy.registration_id}
    registrations = {
        registration.id: registration
        for registration in db.session.scalars(
            sa.select(Registration)
            .where(Registration.id.in_(wanted))
            .options(selectinload(Registration.user))
        )
    }
    return copies, registrations


def group_in_words(event: Event, filters: RegistrationFilter) -> list[str]:
    """The group as an organiser reads it: "Approved", "Belgium", "Without a workshop place"."""
    words = []
    if filters.status:
        words.append(RegistrationStatus(filters.status).label)
    if filters.country:
        words.append(country_name(filters.country))
    if filters.kind:
        words.append(OrganisationKind(filters.kind).label)
    if filters.organisation is not None:
        organisation = db.session.get(Organisation, filters.organisation)
        words.append(organisation.name if organisation else "An organisation since deleted")
    if filters.tag is not None:
        tag = db.session.get(Tag, filters.tag)
        words.append(f"Tagged {tag.name}" if tag else "A tag since deleted")
    if filters.workshop is not None:
        session = db.session.get(ProgrammeSession, filters.workshop)
        words.append(f"In “{session.title}”" if session else "A workshop since deleted")
    if filters.workshop_chosen is not None:
        words.append("With a workshop place" if filters.workshop_chosen else "Without a workshop")
    if filters.checked_in is not None:
        words.append("Checked in" if filters.checked_in else "Not checked in")
    if filters.letter is not None:
        words.append("Needs a letter" if filters.letter else "Needs no letter")
    if filters.dietary is not None:
        words.append("Dietary needs" if filters.dietary else "No dietary needs")
    if filters.q:
        words.append(f"Matching “{filters.q}”")
    return words or ["Every registration, whatever its status"]
