"""Who may do what in an event's back office: roles per event, and the permissions they carry."""

import enum
from functools import wraps

from flask import abort, g, request
from flask_login import current_user

from conference.models import TeamRole


class Permission(enum.StrEnum):
    VIEW = "view"  # see registrations, the dashboard, the lists
    DECIDE = "decide"  # approve, reject, waitlist; notes and tags
    MANAGE = "manage"  # event settings, partners, team, imports, bulk changes
    CHECK_IN = "check_in"  # the check-in desk
    # Dietary and accessibility needs, passport details, dates of birth: special-category or
    # sensitive data, for those who look after the delegates (docs/access.md says who sees what).
    SENSITIVE = "sensitive"


ROLE_PERMISSIONS: dict[TeamRole, frozenset[Permission]] = {
    TeamRole.ORGANISER: frozenset(Permission),
    TeamRole.MODERATOR: frozenset({Permission.VIEW, Permission.DECIDE}),
    TeamRole.VIEWER: frozenset({Permission.VIEW}),
    TeamRole.CHECK_IN: frozenset({Permission.CHECK_IN}),
}

# These roles see delegates' data, needs included, or change who comes to the conference: a
# password alone is not enough for them.
ROLES_NEEDING_TWO_FACTOR = frozenset({TeamRole.ORGANISER, TeamRole.MODERATOR, TeamRole.VIEWER})


def permissions_of(user, event) -> frozenset[Permission]:
    role = user.role_in(event) if user.is_authenticated else None
    return ROLE_PERMISSIONS.get(role, frozenset())


def sees_sensitive_data(user, event) -> bool:
    """Whether the user's role in the event shows them the delegates' sensitive data."""
    return Permission.SENSITIVE in permissions_of(user, event)


def needs_two_factor(user, event) -> bool:
    return user.role_in(event) in ROLES_NEEDING_TWO_FACTOR and not user.has_two_factor


def requires(permission: Permission, *, to_change: Permission | None = None):
    """A back-office view for team members whose role in the URL's event carries `permission`;
    with `to_change`, a page that anyone with `permission` reads and only `to_change` posts to."""

    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            reading = request.method in ("GET", "HEAD", "OPTIONS")
            wanted = permission if reading or to_change is None else to_change
            if wanted not in permissions_of(current_user, g.event):
                abort(403)
            return view(*args, **kwargs)

        return wrapper

    return decorate
