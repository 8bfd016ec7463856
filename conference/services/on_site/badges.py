"""Badges: the one valid badge of each approved registration, what it says its bearer is, and
the QR token the desk reads from it.

A badge is issued the first time it is asked for (a delegate's download, an organiser's sheet)
and stays the same badge, QR code included, each time it is printed again. A lost badge is
revoked; the next one asked for is a new badge with a new token, and the desk refuses the old.
"""

from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from conference.extensions import db
from conference.models import (
    Badge,
    BadgeRole,
    Registration,
    SessionSpeaker,
    Speaker,
    SpeakerRole,
    TeamMember,
    TeamRole,
    User,
    utcnow,
)
from conference.models import RegistrationStatus as Status
from conference.services.audit.writing import log_action
from conference.services.errors import DomainError, InvalidTransition
from conference.services.on_site.codes import badge_token, hashed, new_nonce

# A team member's badge says what they do at the conference.
TEAM_BADGE_ROLES = {
    TeamRole.ORGANISER: BadgeRole.ORGANISER,
    TeamRole.MODERATOR: BadgeRole.ORGANISER,
    TeamRole.CHECK_IN: BadgeRole.STAFF,
    TeamRole.VIEWER: BadgeRole.STAFF,
}


class BadgeNotAvailable(DomainError):
    """Only an approved registration has a badge."""

    status_code = 409


def _not_approved(registration: Registration) -> BadgeNotAvailable:
    return BadgeNotAvailable(
        f"Only approved registrations have a badge; {registration.reference} is "
        f"{registration.status_label.lower()}."
    )


def roles_of(registrations: Iterable[Registration]) -> dict[int, BadgeRole]:
    """What each registration's badge should say, by registration id: organiser or staff for
    the event's team, chair for who chairs or moderates a session, speaker for who speaks,
    delegate for everyone else. Two queries, however many registrations."""
    registrations = list(registrations)
    if not registrations:
        return {}
    event_id = registrations[0].event_id
    user_ids = [r.user_id for r in registrations]
    team = dict(
        db.session.execute(
            sa.select(TeamMember.user_id, TeamMember.role).where(
                TeamMember.event_id == event_id, TeamMember.user_id.in_(user_ids)
            )
        ).all()
    )
    on_stage: dict[int, set[str]] = {}
    for user_id, role in db.session.execute(
        sa.select(Speaker.user_id, SessionSpeaker.role)
        .join(SessionSpeaker, SessionSpeaker.speaker_id == Speaker.id)
        .where(Speaker.event_id == event_id, Speaker.user_id.in_(user_ids))
    ):
        on_stage.setdefault(user_id, set()).add(role)

    def role_of(registration: Registration) -> BadgeRole:
        if registration.user_id in team:
            return TEAM_BADGE_ROLES[TeamRole(team[registration.user_id])]
        stage = on_stage.get(registration.user_id, set())
        if stage & {SpeakerRole.CHAIR, SpeakerRole.MODERATOR}:
            return BadgeRole.CHAIR
        if SpeakerRole.SPEAKER in stage:
            return BadgeRole.SPEAKER
        return BadgeRole.DELEGATE

    return {r.id: role_of(r) for r in registrations}


def valid_badges(registrations: Iterable[Registration]) -> dict[int, Badge]:
    """The valid badge of each registration that has one, by registration id. One query."""
    ids = [r.id for r in registrations]
    return {
        badge.registration_id: badge
        for badge in db.session.scalars(
            sa.select(Badge).where(Badge.registration_id.in_(ids), Badge.revoked_at.is_(None))
        )
    }


def _new_badge_row(registration: Registration, role: BadgeRole, actor: User | None) -> dict:
    nonce = new_nonce()
    return {
        "registration_id": registration.id,
        "role": role,
        "nonce": nonce,
        "token_hash": hashed(badge_token(nonce)),
        "issued_at": utcnow(),
        "issued_by_id": actor.id if actor else None,
        "revoked_reason": "",
    }


def badges_of(registrations: Iterable[Registration], *, actor: User | None) -> list[Badge]:
    """The valid badge of each registration, in the order given, issuing those not issued yet
    (audited). Every registration must be approved. A fixed number of statements, however
    many registrations; when another request issued one of them meanwhile, that badge is kept."""
    registrations = list(registrations)
    for registration in registrations:
        if registration.status != Status.APPROVED:
            raise _not_approved(registration)
    existing = valid_badges(registrations)
    missing = [r for r in registrations if r.id not in existing]
    if missing:
        roles = roles_of(missing)
        rows = [_new_badge_row(r, roles[r.id], actor) for r in missing]
        try:
            with db.session.begin_nested():  # undone alone when another request won the race
                db.session.execute(sa.insert(Badge), rows)
        except IntegrityError:
            return list(_reread(registrations).values())
        for registration in missing:
            log_action(
                "badge.issued",
                registration,
                actor=actor,
                event_id=registration.event_id,
                role=roles[registration.id],
            )
        existing = valid_badges(registrations)
    return [existing[r.id] for r in registrations]


def _reread(registrations: list[Registration]) -> dict[int, Badge]:
    badges = valid_badges(registrations)
    missing = [r for r in registrations if r.id not in badges]
    if missing:  # the race was lost only for some: issue the rest
        badges.update({b.registration_id: b for b in badges_of(missing, actor=None)})
    return {r.id: badges[r.id] for r in registrations}


def badge_of(registration: Registration, *, actor: User | None) -> Badge:
    """The registration's valid badge, issued now if it has none; approved registrations only."""
    return badges_of([registration], actor=actor)[0]


def token_of(badge: Badge) -> str:
    """What the badge's QR code carries."""
    return badge_token(badge.nonce)


def badge_with_token(token: str) -> Badge | None:
    """The badge, valid or revoked, whose QR code carries `token`, in either case (a USB scanner
    types what it reads, Caps Lock included); None for an unknown one."""
    found = sa.select(Badge).where(Badge.token_hash == hashed(token.upper()))
    return db.session.scalars(found).first()


@dataclass(frozen=True)
class BadgeHistory:
    valid: Badge | None
    revoked: list[Badge]


def history(registration: Registration) -> BadgeHistory:
    """The registration's badges: the valid one (if issued) and those revoked, newest first,
    with who issued and revoked them. One query when it has none, two when it has some."""
    badges = list(
        db.session.scalars(
            sa.select(Badge)
            .where(Badge.registration_id == registration.id)
            .order_by(Badge.issued_at.desc(), Badge.id.desc())
            .options(selectinload(Badge.issued_by), selectinload(Badge.revoked_by))
        )
    )
    valid = next((b for b in badges if b.is_valid), None)
    return BadgeHistory(valid, [b for b in badges if not b.is_valid])


def revoke_badge(registration: Registration, *, actor: User, reason: str) -> Badge:
    """Revoke the registration's valid badge (lost, stolen, misprinted): the desk refuses it
    from now on, and the next badge printed is a new one. Audited with the reason."""
    badge = db.session.scalars(
        sa.select(Badge)
        .where(Badge.registration_id == registration.id, Badge.revoked_at.is_(None))
        .with_for_update()
    ).first()
    if badge is None:
        raise InvalidTransition(f"{registration.reference} has no valid badge to revoke.")
    badge.revoked_at = utcnow()
    badge.revoked_by_id = actor.id
    badge.revoked_reason = reason.strip()[:200]
    log_action(
        "badge.revoked",
        registration,
        actor=actor,
        event_id=registration.event_id,
        reason=badge.revoked_reason,
    )
    db.session.flush()
    return badge


def reissue_badge(
    registration: Registration, *, actor: User, reason: str, role: BadgeRole | None = None
) -> Badge:
    """Revoke the valid badge (if any) and issue a new one, with `role` when the organiser
    chose one (press, say) or the role the registration has."""
    if registration.status != Status.APPROVED:
        raise _not_approved(registration)
    if history(registration).valid is not None:
        revoke_badge(registration, actor=actor, reason=reason)
    badge = Badge(
        **_new_badge_row(registration, role or roles_of([registration])[registration.id], actor)
    )
    db.session.add(badge)
    log_action(
        "badge.issued", registration, actor=actor, event_id=registration.event_id, role=badge.role
    )
    db.session.flush()
    return badge
