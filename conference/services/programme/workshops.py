"""Workshop sign-up: limited places, waiting lists, and one workshop at a time.

Only a delegate with an approved registration signs up, and only for a workshop of the published
programme that has places (`capacity` on the live session row). A free place confirms the
sign-up; a full workshop puts the delegate on its waiting list, first come first served. A place
that frees up goes to the first waiting in the same transaction, with an email.

A delegate has at most one confirmed workshop at any moment. Signing up for a workshop that
overlaps one they have a place in is refused, also when it would only put them on the waiting
list: that place would be skipped at every promotion anyway, so we say so at once. Waiting for
two overlapping workshops is allowed; whoever gets a place in one is skipped on the other's
waiting list while they keep it (they keep their turn there, should they leave).

Locks, always in this order, so that no two requests wait for each other: the registration row
(one delegate's changes one after another), then session rows by id, then sign-up rows.
"""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from conference.extensions import db
from conference.models import (
    Event,
    ProgrammeSession,
    Registration,
    SessionSignup,
    SignupStatus,
    User,
    utcnow,
)
from conference.models import RegistrationStatus as Status
from conference.services.audit.writing import log_action
from conference.services.errors import AlreadyDone, CapacityReached, NotAllowed, NotFound
from conference.services.links import absolute_url
from conference.services.locks import lock_registration, lock_session
from conference.services.mail import phrases
from conference.services.mail.sending import send_email
from conference.services.programme.publishing import Programme, published_programme


class WorkshopClash(CapacityReached):
    """The delegate has a place in another workshop at the same time."""


# --- locks and counts -----------------------------------------------------------------------------


def confirmed_count(session_id: int) -> int:
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(SessionSignup)
        .where(
            SessionSignup.session_id == session_id, SessionSignup.status == SignupStatus.CONFIRMED
        )
    )


# --- the clash rule -------------------------------------------------------------------------------


def _times(session_id: int, programme: Programme | None) -> tuple[datetime, datetime] | None:
    """When a session happens as delegates know it: the published times, else the live ones."""
    published = programme.session(session_id) if programme else None
    if published is not None:
        return published.starts_at, published.ends_at
    live = db.session.get(ProgrammeSession, session_id)
    return (live.starts_at, live.ends_at) if live else None


def clashing_workshop(
    registration_id: int, session_id: int, programme: Programme | None, *, lock: bool = False
) -> int | None:
    """The id of a workshop at the same time as `session_id` that the delegate has a place in.

    With `lock` (the delegate's own sign-up) their sign-up rows are locked first, so that a
    promotion changing one of them at this moment is waited for and seen; a promotion locks
    the waiting rows it may change, so it waits for such a sign-up in turn.
    """
    query = (
        sa.select(SessionSignup.session_id, SessionSignup.status)
        .where(SessionSignup.registration_id == registration_id)
        .order_by(SessionSignup.session_id)
    )
    own = db.session.execute(query.with_for_update() if lock else query).all()
    for other_id, status in own:
        if other_id == session_id or status != SignupStatus.CONFIRMED:
            continue
        if _overlap(other_id, session_id, programme):
            return other_id
    return None


def _overlap(first_id: int, second_id: int, programme: Programme | None) -> bool:
    first, second = _times(first_id, programme), _times(second_id, programme)
    return bool(first and second and first[0] < second[1] and second[0] < first[1])


def _title(session_id: int, programme: Programme | None) -> str:
    published = programme.session(session_id) if programme else None
    if published is not None:
        return published.title
    live = db.session.get(ProgrammeSession, session_id)
    return live.title if live else "another workshop"


# --- emails and audit -----------------------------------------------------------------------------


def _workshop(session: ProgrammeSession, programme: Programme | None):
    """What the emails show of a workshop: as published, when it is."""
    return (programme.session(session.id) if programme else None) or session


def _notify(signup: SessionSignup, key: str, programme: Programme | None) -> None:
    registration = signup.registration
    event = registration.event
    workshop = _workshop(signup.session, programme)
    send_email(
        key,
        to=registration.user,
        event=event,
        registration=registration,
        values={
            "workshop": workshop.title,
            "when": phrases.span(workshop.starts_at, workshop.ends_at, event.timezone),
            "agenda_link": absolute_url("delegate.agenda", event_slug=event.slug),
        },
    )


def _log(action: str, signup: SessionSignup, actor: User | None, **details) -> None:
    log_action(
        action,
        signup.registration,
        actor=actor,
        event_id=signup.registration.event_id,
        reference=signup.registration.reference,
        session_id=signup.session_id,
        workshop=signup.session.title,
        **details,
    )


# --- signing up and leaving -----------------------------------------------------------------------


def _approved(registration: Registration) -> Registration:
    """Re-read the registration after its lock: an organiser may just have decided it."""
    db.session.refresh(registration)
    if registration.status != Status.APPROVED:
        raise NotAllowed(
            "Workshop places are for delegates with an approved registration. "
            f"Yours is {registration.status_label.lower()}."
        )
    return registration


def _open_workshop(event: Event, session_id: int) -> tuple[ProgrammeSession, Programme]:
    """The session, locked, if it is a workshop of the published programme with places."""
    programme = published_programme(event)
    if programme is None:
        raise NotFound("The programme is not published yet.")
    published = programme.session(session_id)
    session = lock_session(session_id) if published is not None else None
    if session is None or session.event_id != event.id:
        raise NotFound("There is no such session in the programme.")
    # Which sessions take sign-ups is what the public was told (the published programme); how
    # many places they have is the live capacity, which organisers may raise at once.
    if session.capacity is None or not published.needs_signup:
        raise NotAllowed(f"“{published.title}” is open to everyone: there is no need to sign up.")
    return session, programme


def sign_up(
    registration: Registration, session_id: int, *, actor: User, now: datetime | None = None
) -> SessionSignup:
    """Take a place in a workshop, or join its waiting list when it is full.

    Refused for a workshop at the same time as one the delegate has a place in. Signing up
    twice (a double click) raises AlreadyDone and changes nothing.
    """
    now = now or utcnow()
    lock_registration(registration.id)
    _approved(registration)
    session, programme = _open_workshop(registration.event, session_id)
    existing = db.session.scalars(
        sa.select(SessionSignup).where(
            SessionSignup.session_id == session.id,
            SessionSignup.registration_id == registration.id,
        )
    ).first()
    if existing is not None:
        raise AlreadyDone(_already(existing, programme))
    clash = clashing_workshop(registration.id, session.id, programme, lock=True)
    if clash is not None:
        raise WorkshopClash(
            f"“{_title(clash, programme)}” is at the same time, and you have a place there. "
            f"Leave it first if you would rather go to “{_title(session.id, programme)}”."
        )
    full = confirmed_count(session.id) >= session.capacity
    signup = SessionSignup(
        session=session,
        registration=registration,
        status=SignupStatus.WAITLISTED if full else SignupStatus.CONFIRMED,
        created_at=now,
    )
    try:
        with db.session.begin_nested():  # a replay that slipped past the check above
            db.session.add(signup)
            db.session.flush()
    except IntegrityError as error:
        raise AlreadyDone("You have signed up for this workshop already.") from error
    _log("workshop.signed_up", signup, actor, status=signup.status, at_capacity=full)
    _notify(signup, "workshop_waitlisted" if full else "workshop_confirmed", programme)
    return signup


def _already(signup: SessionSignup, programme: Programme | None) -> str:
    title = _title(signup.session_id, programme)
    if signup.status == SignupStatus.CONFIRMED:
        return f"You already have a place in “{title}”."
    return f"You are already on the waiting list for “{title}”."


def leave(registration: Registration, session_id: int, *, actor: User) -> SessionSignup:
    """Give up a place (it goes to the first waiting) or a place on the waiting list."""
    lock_registration(registration.id)
    session = lock_session(session_id)
    signup = (
        db.session.scalars(
            sa.select(SessionSignup).where(
                SessionSignup.session_id == session_id,
                SessionSignup.registration_id == registration.id,
            )
        ).first()
        if session is not None
        else None
    )
    if session is None or session.event_id != registration.event_id:
        raise NotFound("There is no such session in the programme.")
    programme = published_programme(registration.event)
    if signup is None:  # a second click of Leave: the first one did it
        raise AlreadyDone(f"You are not signed up for “{_title(session_id, programme)}”.")
    was_confirmed = signup.status == SignupStatus.CONFIRMED
    _log("workshop.left", signup, actor, status=signup.status)
    _notify(signup, "workshop_left", programme)
    db.session.delete(signup)
    db.session.flush()
    if was_confirmed:
        _fill(session, programme=programme)
        _fill_where_passed_over(registration.id, session_id, programme=programme)
    return signup


def _fill_where_passed_over(
    registration_id: int, freed_id: int, *, programme: Programme | None
) -> None:
    """The delegate gave up a place: on the waiting lists of workshops at the same time, a
    promotion may have passed them over for it. Those workshops fill again, in turn."""
    for signup in _signups_of(registration_id):
        if signup.status != SignupStatus.WAITLISTED or not _overlap(
            signup.session_id, freed_id, programme
        ):
            continue
        locked = lock_session(signup.session_id)
        if locked is not None:
            _fill(locked, programme=programme)


def title_for_delegates(signup: SessionSignup) -> str:
    """The workshop's title as delegates know it: the published one, never a draft's."""
    return _title(signup.session_id, published_programme(signup.registration.event))


# --- the waiting list -----------------------------------------------------------------------------


def _fill(session: ProgrammeSession, *, programme: Programme | None) -> list[SessionSignup]:
    """Give the free places to the first waiting; the caller holds the session lock."""
    if session.capacity is None:
        return []
    free = session.capacity - confirmed_count(session.id)
    if free <= 0:
        return []
    waiting = db.session.scalars(
        sa.select(SessionSignup)
        .join(Registration, Registration.id == SessionSignup.registration_id)
        .where(
            SessionSignup.session_id == session.id,
            SessionSignup.status == SignupStatus.WAITLISTED,
            Registration.status == Status.APPROVED,
        )
        .order_by(SessionSignup.created_at, SessionSignup.id)
        # Locked, so that a delegate's own sign-up elsewhere at this moment is waited for.
        .with_for_update(of=SessionSignup)
    ).all()
    promoted = []
    for signup in waiting:
        if len(promoted) == free:
            break
        # Their sign-up rows locked: a promotion elsewhere at this moment (another workshop
        # at the same time, whose waiting list they are on) is waited for and seen, or the
        # database breaks the deadlock and one of the two requests answers "busy".
        if clashing_workshop(signup.registration_id, session.id, programme, lock=True):
            continue  # they have a place at that time; they keep their turn here
        signup.status = SignupStatus.CONFIRMED
        _log("workshop.promoted", signup, None, status=signup.status)
        _notify(signup, "workshop_promoted", programme)
        promoted.append(signup)
    db.session.flush()
    return promoted


def fill_from_waiting_list(session: ProgrammeSession) -> list[SessionSignup]:
    """Give a workshop's free places to the first on its waiting list, each told by email.

    For callers that made places (raised the capacity); takes the session lock itself.
    """
    locked = lock_session(session.id)
    if locked is None:
        return []
    return _fill(locked, programme=published_programme(locked.event))


def release_places(registration: Registration, *, actor: User | None = None) -> list[SessionSignup]:
    """A registration that stops being approved gives up its places and its waiting lists.

    Each freed place goes to the next waiting, in the same transaction. The delegate is told
    about the registration itself; these sign-ups go without an email of their own.
    """
    lock_registration(registration.id)
    signups = _signups_of(registration.id)
    if not signups:
        return []
    programme = published_programme(registration.event)
    for session_id in sorted({s.session_id for s in signups}):
        lock_session(session_id)
    signups = _signups_of(registration.id)  # afresh, under the locks
    freed = []
    for signup in signups:
        _log("workshop.released", signup, actor, status=signup.status)
        if signup.status == SignupStatus.CONFIRMED:
            freed.append(signup.session)
        db.session.delete(signup)
    db.session.flush()
    for session in sorted(freed, key=lambda s: s.id):
        _fill(session, programme=programme)
    return signups


def _signups_of(registration_id: int) -> list[SessionSignup]:
    return db.session.scalars(
        sa.select(SessionSignup)
        .where(SessionSignup.registration_id == registration_id)
        .order_by(SessionSignup.session_id)
    ).all()
