"""My agenda: a delegate's two days, and the workshops they can sign up for.

Read from the published programme, with the delegate's own sign-ups and the places left.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from conference.extensions import db
from conference.models import (
    ProgrammeSession,
    Registration,
    RegistrationStatus,
    SessionSignup,
    SignupStatus,
)
from conference.services.programme.publishing import Programme, PublishedSession


@dataclass(frozen=True)
class OpenWorkshop:
    """A workshop of the published programme with places, as one delegate sees it."""

    session: PublishedSession
    capacity: int
    confirmed: int
    own_status: SignupStatus | None
    clashes_with: PublishedSession | None  # the delegate's confirmed workshop at that time

    @property
    def places_left(self) -> int:
        return max(self.capacity - self.confirmed, 0)

    @property
    def is_full(self) -> bool:
        return self.places_left == 0


@dataclass(frozen=True)
class AgendaItem:
    session: PublishedSession
    status: SignupStatus | None  # None: a session for everyone


@dataclass(frozen=True)
class Agenda:
    programme: Programme
    days: list[tuple[date, list[AgendaItem]]]
    workshops: list[OpenWorkshop]

    def confirmed_sessions(self) -> list[PublishedSession]:
        return [
            item.session
            for _, items in self.days
            for item in items
            if item.status in (None, SignupStatus.CONFIRMED)
        ]


def own_signups(registration: Registration) -> dict[int, SignupStatus]:
    rows = db.session.execute(
        sa.select(SessionSignup.session_id, SessionSignup.status).where(
            SessionSignup.registration_id == registration.id
        )
    ).all()
    return {session_id: SignupStatus(status) for session_id, status in rows}


def _places(session_ids: Iterable[int]) -> dict[int, tuple[int, int]]:
    """(capacity, confirmed) of each live session with places, in one query."""
    confirmed = (
        sa.select(sa.func.count())
        .select_from(SessionSignup)
        .where(
            SessionSignup.session_id == ProgrammeSession.id,
            SessionSignup.status == SignupStatus.CONFIRMED,
        )
        .scalar_subquery()
    )
    rows = db.session.execute(
        sa.select(ProgrammeSession.id, ProgrammeSession.capacity, confirmed).where(
            ProgrammeSession.id.in_(list(session_ids)), ProgrammeSession.capacity.is_not(None)
        )
    ).all()
    return {session_id: (capacity, taken) for session_id, capacity, taken in rows}


def agenda_of(registration: Registration, programme: Programme) -> Agenda:
    """The delegate's two days: every session open to everyone and their own workshops, in time
    order, and the workshops they can sign up for, with the places left.

    A session is open to everyone, and so in every approved delegate's agenda, whenever the
    published programme takes no sign-up for it, whatever its kind: plenaries, panels, breaks,
    the dinner.
    """
    own = own_signups(registration)
    days = []
    for day in programme.days:
        items = [
            AgendaItem(session, own.get(session.id))
            for session in programme.sessions_on(day)
            if not session.needs_signup or session.id in own
        ]
        days.append((day, items))
    return Agenda(programme, days, _open_workshops(programme, programme.sessions, own))


def workshop_place(
    registration: Registration | None, programme: Programme, session_id: int
) -> OpenWorkshop | None:
    """One workshop as the delegate sees it on its own page: the places left, their place or
    their turn on the waiting list, a clash with their place elsewhere.

    None when they cannot sign up: only an approved registration takes workshop places, and only
    a session for which the published programme takes sign-ups has them.
    """
    session = programme.session(session_id)
    if registration is None or registration.status != RegistrationStatus.APPROVED:
        return None
    if session is None or not session.needs_signup:
        return None
    found = _open_workshops(programme, [session], own_signups(registration))
    return found[0] if found else None


def _open_workshops(
    programme: Programme, sessions: Iterable[PublishedSession], own: dict[int, SignupStatus]
) -> list[OpenWorkshop]:
    """The sessions with places among `sessions`, for the delegate whose sign-ups are `own`."""
    sessions = list(sessions)
    places = _places(s.id for s in sessions)
    confirmed = [programme.session(i) for i, s in own.items() if s == SignupStatus.CONFIRMED]
    workshops = []
    for session in sessions:
        if session.id not in places:
            continue
        capacity, taken = places[session.id]
        clash = next(
            (
                other
                for other in confirmed
                if other is not None
                and other.id != session.id
                and other.starts_at < session.ends_at
                and session.starts_at < other.ends_at
            ),
            None,
        )
        workshops.append(OpenWorkshop(session, capacity, taken, own.get(session.id), clash))
    return workshops
