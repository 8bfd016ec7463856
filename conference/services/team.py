"""The team that runs an event."""

from conference.extensions import db
from conference.models import Event, TeamMember, TeamRole, User, utcnow
from conference.services.accounts import find_user, hash_password, normalise_email
from conference.services.audit import log_action


def create_organiser(
    event: Event, email: str, password: str, *, name: str | None = None
) -> tuple[User, bool]:
    """Make the person with this address an organiser of the event, creating the account if new.

    An account made here is verified: whoever runs the command vouches for the address.
    An existing account keeps its password.
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
    if not user.organises(event):
        user.team_roles.append(TeamMember(event_id=event.id, role=TeamRole.ORGANISER))
        log_action("team.organiser_added", user, actor=None, event_id=event.id, email=email)
    return user, created
