"""The team that runs an event: its members and their roles, and invitations to join it."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from conference.extensions import db
from conference.models import Event, TeamInvitation, TeamMember, TeamRole, User, utcnow
from conference.services.audit.writing import log_action
from conference.services.errors import DomainError, InvalidToken, NotAllowed, NotFound
from conference.services.links import absolute_url
from conference.services.locks import lock_event
from conference.services.mail import phrases
from conference.services.mail.sending import send_email
from conference.services.people.accounts import find_user, hash_password, normalise_email

INVITATION_LIFETIME = timedelta(days=7)


def create_team_member(
    event: Event,
    email: str,
    password: str,
    *,
    name: str | None = None,
    role: TeamRole = TeamRole.ORGANISER,
) -> tuple[User, bool]:
    """Put the person with this address on the event's team with `role` (an organiser unless
    said otherwise), creating the account if new.

    An account made here is verified: whoever runs the command vouches for the address.
    An existing account keeps its password; a team member gets `role` instead of theirs.
    """
    email = normalise_email(email)
    user = find_user(email)
    created = user is None
    if created:
        user = User(
            email=email,
            name=(name or email.partition("@")[0]).strip(),
            password_hash=hash_password(password),
            email_verified_at=utcnow(),
        )
        db.session.add(user)
        db.session.flush()
    if user.role_in(event) is None:
        user.team_roles.append(TeamMember(event_id=event.id, role=role))
        log_action(
            "team.member_added", user, actor=None, event_id=event.id, email=email, role=str(role)
        )
    else:
        change_role(event, user.id, role, actor=None)
    return user, created


# --- the members ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Member:
    user: User
    role: TeamRole


def members_of(event: Event) -> list[Member]:
    """The event's team, organisers first, then by name."""
    order = sa.case({role.value: n for n, role in enumerate(TeamRole)}, value=TeamMember.role)
    rows = db.session.execute(
        sa.select(User, TeamMember.role)
        .join(TeamMember, TeamMember.user_id == User.id)
        .where(TeamMember.event_id == event.id)
        .order_by(order, User.name, User.id)
    ).all()
    return [Member(user, TeamRole(role)) for user, role in rows]


def _membership(event: Event, user_id: int) -> TeamMember:
    member = db.session.get(TeamMember, (event.id, user_id))
    if member is None:
        raise DomainError("That person is not on the team of this event.")
    return member


def is_last_organiser(member: TeamMember) -> bool:
    """An event always keeps an organiser: otherwise nobody could run its team again. The
    caller holds the event's lock, so that two organisers cannot both leave at once."""
    if member.role != TeamRole.ORGANISER:
        return False
    organisers = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(TeamMember)
        .where(TeamMember.event_id == member.event_id, TeamMember.role == TeamRole.ORGANISER)
    )
    return organisers <= 1


def _refuse_if_last_organiser(event: Event, member: TeamMember, verb: str) -> None:
    if is_last_organiser(member):
        raise DomainError(
            f"You cannot {verb} the last organiser: make someone else an organiser first."
        )


def change_role(event: Event, user_id: int, role: TeamRole, *, actor: User | None) -> TeamMember:
    """Give a team member another role; never takes away the event's last organiser."""
    lock_event(event.id)  # two organisers demoting each other at once must not both succeed
    member = _membership(event, user_id)
    role = TeamRole(role)
    if member.role == role:
        return member
    _refuse_if_last_organiser(event, member, "change the role of")
    from_role = member.role
    member.role = role
    log_action(
        "team.role_changed",
        db.session.get(User, user_id),
        actor=actor,
        event_id=event.id,
        from_role=str(from_role),
        to_role=str(role),
    )
    return member


def remove_member(event: Event, user_id: int, *, actor: User) -> User:
    """Take someone off the team (their account stays); never the event's last organiser."""
    lock_event(event.id)
    member = _membership(event, user_id)
    _refuse_if_last_organiser(event, member, "remove")
    user = db.session.get(User, user_id)
    db.session.delete(member)
    db.session.flush()
    db.session.expire(user, ["team_roles"])
    log_action("team.member_removed", user, actor=actor, event_id=event.id, role=str(member.role))
    return user


# --- invitations ------------------------------------------------------------------------------


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def pending_invitations(event: Event, now: datetime | None = None) -> list[TeamInvitation]:
    """Invitations not yet accepted and not yet expired, newest first."""
    return db.session.scalars(
        sa.select(TeamInvitation)
        .where(
            TeamInvitation.event_id == event.id,
            TeamInvitation.accepted_at.is_(None),
            TeamInvitation.expires_at > (now or utcnow()),
        )
        .order_by(TeamInvitation.created_at.desc(), TeamInvitation.id.desc())
    ).all()


def invite_member(
    event: Event, email: str, role: TeamRole, *, actor: User, now: datetime | None = None
) -> tuple[TeamInvitation, str]:
    """Invite an address to the team with a role, by an email with a single-use link.

    Refused for someone already on the team. Only a hash of the link's secret is stored; an
    earlier unused invitation to the same address stops working, so one link is valid at a time.
    Returns the invitation and the secret of its link.
    """
    now = now or utcnow()
    email = normalise_email(email)
    role = TeamRole(role)
    user = find_user(email)
    if user is not None and user.role_in(event) is not None:
        raise DomainError(
            f"{email} is already on the team as {user.role_in(event).label.lower()}: "
            "change their role in the list instead."
        )
    db.session.execute(
        sa.delete(TeamInvitation).where(
            TeamInvitation.event_id == event.id,
            TeamInvitation.email == email,
            TeamInvitation.accepted_at.is_(None),
        )
    )
    token = secrets.token_urlsafe(32)
    invitation = TeamInvitation(
        event_id=event.id,
        email=email,
        role=role,
        token_hash=_token_hash(token),
        invited_by_id=actor.id,
        created_at=now,
        expires_at=now + INVITATION_LIFETIME,
    )
    db.session.add(invitation)
    log_action(
        "team.invited", invitation, actor=actor, event_id=event.id, email=email, role=str(role)
    )
    send_email(
        "team_invitation",
        to=email,
        event=event,
        values={
            "invited_by": actor.name,
            "role": phrases.role(role),
            "link": absolute_url("accounts.team_invitation", token=token),
            "expires": phrases.moment(invitation.expires_at, event.timezone),
        },
    )
    return invitation, token


def withdraw_invitation(event: Event, invitation_id: int, *, actor: User) -> TeamInvitation:
    """Make an invitation's link stop working before anyone accepts it."""
    invitation = db.session.get(TeamInvitation, invitation_id)
    if invitation is None or invitation.event_id != event.id:
        raise NotFound("There is no such invitation for this team.")
    if invitation.accepted_at is not None:
        raise DomainError(
            f"{invitation.email} has joined the team already: change or remove them in the list."
        )
    db.session.delete(invitation)
    log_action(
        "team.invitation_withdrawn",
        invitation,
        actor=actor,
        event_id=event.id,
        email=invitation.email,
        role=str(invitation.role),
    )
    return invitation


def invitation_for_token(
    token: str, now: datetime | None = None, *, lock: bool = False
) -> TeamInvitation:
    """The invitation behind a link, if it is still usable; a clear refusal otherwise."""
    query = sa.select(TeamInvitation).where(TeamInvitation.token_hash == _token_hash(token))
    if lock:
        query = query.with_for_update()
    invitation = db.session.scalars(query).first()
    if invitation is None:
        raise InvalidToken(
            "This invitation link is not valid. Ask the organiser who invited you for a new one."
        )
    if invitation.accepted_at is not None:
        raise InvalidToken("This invitation has been used already.")
    if invitation.expires_at <= (now or utcnow()):
        raise InvalidToken("This invitation has expired. Ask the organiser for a new one.")
    return invitation


def is_for(invitation: TeamInvitation, user: User) -> bool:
    return normalise_email(user.email) == invitation.email


def accept_invitation(token: str, user: User, now: datetime | None = None) -> TeamMember:
    """Join the team with the invited role: only as the invited address, and only once."""
    now = now or utcnow()
    invitation = invitation_for_token(token, now, lock=True)
    if not is_for(invitation, user):
        raise NotAllowed(
            "This invitation is for another email address. Log in with the address it was sent to."
        )
    if user.role_in(invitation.event) is not None:
        raise DomainError(f"You are already on the team of {invitation.event.short_name}.")
    invitation.accepted_at = now
    member = TeamMember(event_id=invitation.event_id, role=invitation.role)
    user.team_roles.append(member)
    log_action(
        "team.invitation_accepted",
        user,
        actor=user,
        event_id=invitation.event_id,
        role=str(invitation.role),
        invitation=invitation.id,
    )
    return member
