"""The event's settings and its host and partners, as the organisers change them.

Every change is audited with what changed, old and new value. A capacity never drops below the
places already approved; raising it by N gives N new places to the first N on the waiting list
at once.
"""

from dataclasses import asdict, dataclass
from datetime import date, datetime

import sqlalchemy as sa

from conference.extensions import db
from conference.local_time import clock_change_problem, to_local, to_utc
from conference.models import Event, EventOrganisation, Organisation, Registration, User
from conference.services.audit.writing import log_action
from conference.services.errors import DomainError
from conference.services.registration.workflow import (
    approved_count,
    lock_event,
    promote_from_waitlist,
)
from conference.services.text import counted, paragraphs


class SettingRefused(DomainError):
    """A setting the rules do not allow."""


@dataclass(frozen=True)
class EventSettings:
    """What the settings form edits. The registration window is in the event's local time."""

    name: str
    short_name: str
    tagline: str
    description: str
    starts_on: date
    ends_on: date
    venue: str
    city: str
    capacity: int
    registration_opens: datetime | None  # naive, local to the event
    registration_closes: datetime | None
    approval_required: bool
    invitation_only: bool = False
    # The visa invitation letter: the letterhead's lines, its paragraphs, and who signs it.
    letter_letterhead: str = ""
    letter_purpose: str = ""
    letter_costs: str = ""
    letter_signatory_name: str = ""
    letter_signatory_title: str = ""
    # Months after the event that the delegates' personal data is kept (services.privacy).
    retention_months: int = 12


def settings_of(event: Event) -> EventSettings:
    """The event's current settings, to fill in the form."""
    return EventSettings(
        name=event.name,
        short_name=event.short_name,
        tagline=event.tagline,
        description=event.description,
        starts_on=event.starts_on,
        ends_on=event.ends_on,
        venue=event.venue,
        city=event.city,
        capacity=event.capacity,
        registration_opens=to_local(event.registration_opens_at, event.timezone),
        registration_closes=to_local(event.registration_closes_at, event.timezone),
        approval_required=event.approval_required,
        invitation_only=event.invitation_only,
        letter_letterhead=event.letter_letterhead,
        letter_purpose=event.letter_purpose,
        letter_costs=event.letter_costs,
        letter_signatory_name=event.letter_signatory_name,
        letter_signatory_title=event.letter_signatory_title,
        retention_months=event.retention_months,
    )


def _audit_value(value):
    return value.isoformat() if isinstance(value, date | datetime) else value


def update_event(
    event: Event, settings: EventSettings, *, actor: User, now: datetime | None = None
) -> tuple[dict[str, list], list[Registration]]:
    """Change the event's settings; returns what changed (old, new) and who was promoted.

    The capacity may not fall below the places already approved (counted under the event lock,
    so no approval slips in between); a capacity raised by N promotes the first N on the waiting
    list, not everyone waiting while other places are free.
    """
    if settings.ends_on < settings.starts_on:
        raise SettingRefused("The last day cannot come before the first.", "ends_on")
    for field in ("registration_opens", "registration_closes"):
        local = getattr(settings, field)
        problem = local and clock_change_problem(local, event.timezone)
        if problem:
            raise SettingRefused(problem, field)
    opens = to_utc(settings.registration_opens, event.timezone)
    closes = to_utc(settings.registration_closes, event.timezone)
    if opens and closes and closes <= opens:
        raise SettingRefused("Registration must close after it opens.", "registration_closes")
    event = lock_event(event.id)
    approved = approved_count(event.id)
    if settings.capacity < approved:
        raise SettingRefused(
            f"{approved} places are already approved: the capacity cannot be less than that. "
            "Reject or cancel registrations first.",
            "capacity",
        )
    wanted = {
        **asdict(settings),
        "registration_opens_at": opens,
        "registration_closes_at": closes,
    }
    del wanted["registration_opens"], wanted["registration_closes"]
    for field in (
        "name",
        "short_name",
        "tagline",
        "venue",
        "city",
        "letter_signatory_name",
        "letter_signatory_title",
    ):
        wanted[field] = wanted[field].strip()
    for field in ("description", "letter_letterhead", "letter_purpose", "letter_costs"):
        wanted[field] = paragraphs(wanted[field])
    changes = {}
    for field, new in wanted.items():
        old = getattr(event, field)
        if old != new:
            changes[field] = [_audit_value(old), _audit_value(new)]
            setattr(event, field, new)
    if not changes:
        return {}, []
    log_action("event.updated", event, actor=actor, event_id=event.id, changes=changes)
    promoted = []
    if "capacity" in changes and settings.capacity > changes["capacity"][0]:
        db.session.flush()
        added = settings.capacity - changes["capacity"][0]
        promoted = promote_from_waitlist(event, places=added, now=now)
    return changes, promoted


# --- host and partners ------------------------------------------------------------------------


@dataclass(frozen=True)
class OrganisationDetails:
    name: str
    short_name: str | None
    kind: str
    country: str | None
    website: str | None

    def cleaned(self) -> dict:
        return {
            "name": self.name.strip(),
            "short_name": (self.short_name or "").strip() or None,
            "kind": self.kind,
            "country": self.country or None,
            "website": (self.website or "").strip() or None,
        }


def organisations_to_add(event: Event) -> list[Organisation]:
    """The organisations the app knows that are not on the event's list yet, by name."""
    on_list = sa.select(EventOrganisation.organisation_id).where(
        EventOrganisation.event_id == event.id
    )
    return db.session.scalars(
        sa.select(Organisation).where(Organisation.id.not_in(on_list)).order_by(Organisation.name)
    ).all()


def link_of(event: Event, organisation_id: int) -> EventOrganisation | None:
    return next(
        (link for link in event.organisations if link.organisation_id == organisation_id), None
    )


def _name_taken(name: str, but: Organisation | None = None) -> bool:
    query = sa.select(Organisation.id).where(sa.func.lower(Organisation.name) == name.lower())
    if but is not None:
        query = query.where(Organisation.id != but.id)
    return db.session.scalar(query) is not None


def _ordered_links(event: Event) -> list[EventOrganisation]:
    """The event's host and partners in their public order, numbered 0, 1, 2... again."""
    links = sorted(event.organisations, key=lambda link: (link.position, not link.is_host))
    for position, link in enumerate(links):
        link.position = position
    return links


def add_partner(
    event: Event,
    *,
    actor: User,
    organisation: Organisation | None = None,
    details: OrganisationDetails | None = None,
) -> Organisation:
    """Add an existing organisation, or a new one from `details`, last in the public order."""
    event = lock_event(event.id)
    if organisation is None:
        fields = details.cleaned()
        if _name_taken(fields["name"]):
            raise SettingRefused(
                f"{fields['name']} is known already: choose it from the list.", "name"
            )
        organisation = Organisation(**fields)
        db.session.add(organisation)
        db.session.flush()
        log_action("organisation.created", organisation, actor=actor, event_id=event.id, **fields)
    elif link_of(event, organisation.id) is not None:
        raise SettingRefused(f"{organisation.name} is already on the list.", "organisation")
    position = len(_ordered_links(event))
    event.organisations.append(EventOrganisation(organisation=organisation, position=position))
    log_action(
        "event.partner_added",
        event,
        actor=actor,
        event_id=event.id,
        organisation_id=organisation.id,
        organisation=organisation.name,
        position=position,
    )
    return organisation


def update_organisation(
    event: Event, organisation: Organisation, details: OrganisationDetails, *, actor: User
) -> dict[str, list]:
    """Edit a partner's name, kind, country or website; returns what changed (old, new)."""
    fields = details.cleaned()
    if _name_taken(fields["name"], but=organisation):
        raise SettingRefused(f"Another organisation is called {fields['name']}.", "name")
    changes = {}
    for field, new in fields.items():
        old = getattr(organisation, field)
        if old != new:
            changes[field] = [old, new]
            setattr(organisation, field, new)
    if changes:
        log_action(
            "organisation.updated", organisation, actor=actor, event_id=event.id, changes=changes
        )
    return changes


def remove_partner(event: Event, organisation: Organisation, *, actor: User) -> None:
    """Take an organisation off the event's list; refused while registrations name it, and
    for the host."""
    event = lock_event(event.id)
    link = link_of(event, organisation.id)
    if link is None:
        raise SettingRefused(f"{organisation.name} is not on the list.")
    if link.is_host:
        raise SettingRefused(f"{organisation.name} hosts the event and cannot be removed.")
    registered = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Registration)
        .where(Registration.event_id == event.id, Registration.organisation_id == organisation.id)
    )
    if registered:
        raise SettingRefused(
            f"{organisation.name} cannot be removed: "
            f"{counted(registered, 'registration names it', 'registrations name it')}."
        )
    event.organisations.remove(link)
    _ordered_links(event)
    log_action(
        "event.partner_removed",
        event,
        actor=actor,
        event_id=event.id,
        organisation_id=organisation.id,
        organisation=organisation.name,
    )


def move_partner(event: Event, organisation: Organisation, direction: str, *, actor: User) -> bool:
    """Move an organisation one place up or down the public list; False at either end."""
    event = lock_event(event.id)
    links = _ordered_links(event)
    link = link_of(event, organisation.id)
    if link is None:
        raise SettingRefused(f"{organisation.name} is not on the list.")
    index = links.index(link)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(links):
        return False
    link.position, links[other].position = other, index
    log_action(
        "event.partner_moved",
        event,
        actor=actor,
        event_id=event.id,
        organisation_id=organisation.id,
        organisation=organisation.name,
        position=[index, other],
    )
    return True
