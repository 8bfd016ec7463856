"""How the audit log says what happened, for the people who read it: what each entry was done
to, and its details in words ("Consent: participant directory: yes", "Room: Amstel room"),
not as stored ("consent_participant_list: True", "room_id: 3").

The names of the objects a page mentions are read with one query per kind of object, however
many entries the page holds.
"""

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from conference.countries import country_name
from conference.extensions import db
from conference.local_time import format_local_time
from conference.models import (
    EMAIL_LANGUAGES,
    AuditEntry,
    BadgeRole,
    Event,
    Invitation,
    Message,
    Organisation,
    OrganisationKind,
    OutboxEmail,
    ProgrammeSession,
    Registration,
    RegistrationStatus,
    Room,
    SessionKind,
    SignupStatus,
    Speaker,
    SpeakerRole,
    Tag,
    TeamInvitation,
    TeamRole,
    Track,
    User,
)
from conference.services.mail.catalogue import KINDS
from conference.services.on_site.badge_pdf import Layout
from conference.services.registration import fields

# --- the names of objects -----------------------------------------------------------------------

# Each kind of object the log can name (its entries' object_type): how its name is read.
_NAME_SOURCES: dict[str, tuple[sa.Select, Callable[[Any], str]]] = {
    "registration": (sa.select(Registration.id, Registration.reference), lambda r: r.reference),
    "user": (sa.select(User.id, User.name, User.email), lambda r: f"{r.name} <{r.email}>"),
    "teaminvitation": (sa.select(TeamInvitation.id, TeamInvitation.email), lambda r: r.email),
    "invitation": (
        sa.select(Invitation.id, Invitation.name, Invitation.email),
        lambda r: f"{r.name} <{r.email}>",
    ),
    "event": (sa.select(Event.id, Event.name), lambda r: r.name),
    "organisation": (
        sa.select(Organisation.id, Organisation),
        lambda r: r.Organisation.display_name,
    ),
    "room": (sa.select(Room.id, Room.name), lambda r: r.name),
    "track": (sa.select(Track.id, Track.name), lambda r: r.name),
    "speaker": (sa.select(Speaker.id, Speaker.name), lambda r: r.name),
    "programmesession": (
        sa.select(ProgrammeSession.id, ProgrammeSession.title),
        lambda r: r.title,
    ),
    "tag": (sa.select(Tag.id, Tag.name), lambda r: r.name),
    "outboxemail": (sa.select(OutboxEmail.id, OutboxEmail.recipient), lambda r: r.recipient),
    "message": (sa.select(Message.id, Message.subject), lambda r: r.subject),
}

# How the "On" column names an object of each kind, given its name; and the kind in a word.
_OBJECT_LABELS = {
    "registration": ("Registration {}", "Registration"),
    "user": ("{}", "Person"),
    "teaminvitation": ("Invitation to {}", "Team invitation"),
    "invitation": ("Invitation of {}", "Invitation"),
    "event": ("{}", "Event"),
    "organisation": ("{}", "Organisation"),
    "room": ("Room {}", "Room"),
    "track": ("Track {}", "Track"),
    "speaker": ("Speaker {}", "Speaker"),
    "programmesession": ("Session “{}”", "Session"),
    "tag": ("Tag {}", "Tag"),
    "outboxemail": ("Email to {}", "Email"),
    "message": ("Message “{}”", "Message"),
}


def _load_names(ids: dict[str, set[int]]) -> dict[tuple[str, int], str]:
    """The names of the objects in `ids` (by kind) that still exist: one query per kind."""
    names = {}
    for kind, wanted in ids.items():
        if not wanted or kind not in _NAME_SOURCES:
            continue
        query, name_of = _NAME_SOURCES[kind]
        id_column = query.selected_columns[0]
        for row in db.session.execute(query.where(id_column.in_(wanted))):
            names[kind, row[0]] = name_of(row)
    return names


@dataclass(frozen=True)
class ObjectLabel:
    text: str
    reference: str | None = None  # a registration's, for a link to its page


def _object_label(kind: str, object_id: int, names: dict) -> ObjectLabel:
    pattern, noun = _OBJECT_LABELS[kind]
    name = names.get((kind, object_id))
    if name is None:
        return ObjectLabel(f"{noun} #{object_id}, since deleted")
    return ObjectLabel(pattern.format(name), name if kind == "registration" else None)


# --- the details --------------------------------------------------------------------------------

# Details that hold the id of an object the log can name, and its kind.
_ID_KINDS = {
    "organisation_id": "organisation",
    "organisation": "organisation",  # in a registration list's filters
    "room_id": "room",
    "track_id": "track",
    "session_id": "programmesession",
    "user_id": "user",
    "tag": "tag",  # in filters; elsewhere a tag is given by its name
}

# What each detail is called; "<area>.<key>" where the part of the app changes its meaning.
# Any other detail is called after its key: "desk" -> "Desk".
LABELS = {
    **{f.name: f"Consent: {f.label.lower()}" for f in fields.CONSENTS},
    "consents": "Consents given",
    "consent": "Consent",
    "privacy_notice_version": "Privacy notice read",
    "privacy_notice.version": "Version",
    "privacy_notice.changed": "Parts changed",
    "reference": "Registration",
    "status": "Status",
    "role": "Role",
    "reason": "Reason",
    "email": "Email address",
    "short_name": "Short name",
    "starts_on": "First day",
    "ends_on": "Last day",
    "registration_opens_at": "Registration opens",
    "registration_closes_at": "Registration closes",
    "approval_required": "Approval required",
    "invitation_only": "By invitation only",
    "organisation_id": "Organisation",
    "organisation_other": "Organisation (typed in)",
    "room_id": "Room",
    "track_id": "Track",
    "session_id": "Workshop",
    "user_id": "Account",
    "starts_at": "Starts",
    "ends_at": "Ends",
    "warnings_accepted": "Warnings accepted",
    "removed_from": "Registrations that had it",
    "at_capacity": "Workshop full",
    "bio": "Biography",
    "q": "Search",
    "letter": "Invitation letter",
    "letter_reference": "Letter",
    "replaces": "In place of letter",
    "letter_letterhead": "Letterhead",
    "letter_purpose": "Letter: purpose of the visit",
    "letter_costs": "Letter: costs",
    "letter_signatory_name": "Letter signed by",
    "letter_signatory_title": "Signatory's title",
    "dietary": "Dietary needs",
    "kind": "Kind",
    "event.position": "Place in the list",
    "room.position": "Column",
    "speaker.title": "Job title",
    "workshop.status": "Place",
    "export.filters": "Filters",
    "badges.filters": "Filters",
    "layout": "Layout",
    "badges.rows": "Badges",
    "seen_at": "Seen at the desk",  # for a check-in made offline, the desk's own time
    "check_in.reason": "Refused because",
    "attendance.session_id": "Session",
    "pseudonym": "Known now as",
    "because": "Because",
    "user.registrations": "Registrations anonymised",
    "event.registrations": "Registrations anonymised",
    "event.invitations": "Unused invitations anonymised",
    "event.emails": "Emails deleted",
    "event.messages": "Messages deleted",
    "email.emails": "Emails sent again",
    "email.q": "Recipient searched for",
    "email_template.kind": "Email",
    "language": "Language",
    "user.previous": "Before",
    "recipients": "Recipients",
    "filled_as": "Filled in as",
    "send_at": "Due",
}

# Details the page leaves out: said by another detail, or by the "On" column.
_SAID_ELSEWHERE = {
    "organisation_id": "organisation",  # the name, as it was then
    "session_id": "workshop",
}

LONG_TEXT = 120  # characters of a description or abstract the log shows

# Why the desk turned someone away, for the reasons that are not a registration's status.
DESK_REFUSALS = {
    "unknown": "Unknown badge or reference",
    "revoked": "Badge revoked",
    "offline": "Not a valid badge in the offline desk's copy",
    "early": "Before the event's first day",
    "over": "After the event",
}


@dataclass(frozen=True)
class Detail:
    label: str
    text: str


def _label(area: str, key: str) -> str:
    return LABELS.get(f"{area}.{key}") or LABELS.get(key) or key.replace("_", " ").capitalize()


def _ids_in(key: str, value: Any) -> Iterator[tuple[str, int]]:
    """The objects a detail names by their id."""
    if key == "changes" and isinstance(value, dict):
        for field, old_new in value.items():
            for one in old_new if isinstance(old_new, list) else []:
                yield from _ids_in(field, one)
    elif key == "filters" and isinstance(value, dict):
        for field, one in value.items():
            yield from _ids_in(field, one)
    elif key == "speakers" and isinstance(value, list):
        for part in value:
            if isinstance(part, list) and part and isinstance(part[0], int):
                yield "speaker", part[0]
    elif key in _ID_KINDS and isinstance(value, int) and not isinstance(value, bool):
        yield _ID_KINDS[key], value


def _label_of_enum(enum, value: Any) -> str:
    try:
        return enum(value).label
    except ValueError:
        return str(value)


class _Wording:
    """Turns one page's details into words, knowing the event's zone and the objects' names."""

    def __init__(self, timezone: str, names: dict[tuple[str, int], str], sensitive: bool):
        self.timezone = timezone
        self.names = names
        self.sensitive = sensitive  # whether the reader may see the sensitive fields' answers

    def text(self, area: str, key: str, value: Any) -> str:
        if value is None or value == "" or value == []:
            return "none"
        if isinstance(value, bool):
            return "yes" if value else "no"
        if key in _ID_KINDS and isinstance(value, int):
            return self.names.get((_ID_KINDS[key], value), f"#{value}, since deleted")
        if key == "speakers":
            return ", ".join(self._part(part) for part in value)
        if key == "columns" and isinstance(value, list):  # of an export, by their keys
            return ", ".join(str(column).replace("_", " ").capitalize() for column in value)
        if key == "position" and area == "event" and isinstance(value, int):
            return str(value + 1)  # stored from 0; people count from 1
        if isinstance(value, list):
            return ", ".join(self.text(area, key, one) for one in value)
        if isinstance(value, dict):
            return "; ".join(
                f"{_label(area, field)}: {self.text(area, field, one)}"
                for field, one in value.items()
            )
        return self._plain(area, key, value)

    def _plain(self, area: str, key: str, value: Any) -> str:
        if key.endswith("_at") and isinstance(value, str):
            try:
                return format_local_time(datetime.fromisoformat(value), self.timezone)
            except ValueError:
                return value
        if key in ("starts_on", "ends_on") and isinstance(value, str):
            try:
                return f"{date.fromisoformat(value):%-d %b %Y}"
            except ValueError:
                return value
        if key == "country":
            return country_name(value)
        if key == "colour":
            return str(value).capitalize()
        if key == "kind" and area == "email_template":
            return KINDS[value].title if value in KINDS else str(value)
        if key in ("language", "previous") and value in EMAIL_LANGUAGES:
            return EMAIL_LANGUAGES[value]
        if key == "kind":
            return _label_of_enum(SessionKind if area == "session" else OrganisationKind, value)
        if key == "role" and area == "badge":
            return _label_of_enum(BadgeRole, value)
        if key == "layout" and area in ("badge", "badges"):
            return _label_of_enum(Layout, value)
        if key in ("role", "from_role", "to_role"):
            return _label_of_enum(TeamRole, value)
        if key == "reason" and area == "check_in":
            return DESK_REFUSALS.get(value) or _label_of_enum(RegistrationStatus, value)
        if key == "status" and area == "workshop":
            return _label_of_enum(SignupStatus, value)
        if key in ("status", "from_status", "to_status"):
            return _label_of_enum(RegistrationStatus, value)
        text = str(value)
        return text if len(text) <= LONG_TEXT else text[: LONG_TEXT - 1].rstrip() + "…"

    def _part(self, part: Any) -> str:
        """A speaker's part in a session, stored as [speaker_id, role]."""
        if not (isinstance(part, list) and len(part) == 2):
            return str(part)
        speaker_id, role = part
        name = self.names.get(("speaker", speaker_id), f"#{speaker_id}, since deleted")
        return f"{name} ({_label_of_enum(SpeakerRole, role).lower()})"

    def details(self, entry: AuditEntry) -> list[Detail]:
        area = entry.action.partition(".")[0]
        stored = dict(entry.details or {})
        said = []
        # A change of status or role reads as one detail: "Pending → Approved".
        for what in ("status", "role"):
            old, new = stored.pop(f"from_{what}", None), stored.pop(f"to_{what}", None)
            if new is not None:
                shown = self.text(area, what, new)
                said.append(
                    Detail(_label(area, what), f"{self.text(area, what, old)} → {shown}")
                    if old is not None
                    else Detail(_label(area, what), shown)
                )
        for key, value in stored.items():
            if key == "note_id" or _SAID_ELSEWHERE.get(key) in stored:
                continue
            if key == "reference" and entry.object_type == "registration":
                continue
            if key == "changes" and isinstance(value, dict):
                said.extend(self._changes(area, value))
            elif value is None or value == "" or value == [] or value == {}:
                continue  # a detail with nothing in it: left out
            elif key == "position" and isinstance(value, list) and area == "event":
                old, new = value
                said.append(Detail(_label(area, key), f"{old + 1} → {new + 1}"))
            else:
                said.append(Detail(_label(area, key), self.text(area, key, value)))
        return said

    def _changes(self, area: str, changes: dict) -> list[Detail]:
        """What an edit changed, a detail per field: "Capacity: 150 → 200"."""
        said = []
        hidden = {f.name for f in fields.FIELDS if f not in fields.visible(self.sensitive)}
        for field, old_new in changes.items():
            if area == "registration" and field in hidden:
                text = "changed (seen by the organisers only)"
            elif isinstance(old_new, list) and len(old_new) == 2:
                old, new = old_new
                text = f"{self.text(area, field, old)} → {self.text(area, field, new)}"
            else:
                text = self.text(area, field, old_new)
            said.append(Detail(_label(area, field), text))
        return said


@dataclass(frozen=True)
class EntryWords:
    """What the log page shows of an entry besides who and when."""

    on: ObjectLabel | None  # None for a kind of object this module does not know
    details: list[Detail]


def _ids_of(entries: Iterable[AuditEntry]) -> dict[str, set[int]]:
    ids: dict[str, set[int]] = {}
    for entry in entries:
        if entry.object_id is not None:
            ids.setdefault(entry.object_type, set()).add(entry.object_id)
        for key, value in (entry.details or {}).items():
            for kind, object_id in _ids_in(key, value):
                ids.setdefault(kind, set()).add(object_id)
    return ids


def object_labels(entries: Iterable[AuditEntry]) -> dict[tuple[str, int], ObjectLabel]:
    """What each entry was done to, in words, with one query per kind of object.

    An object that no longer exists (an invitation replaced by a newer one) is said to be gone;
    kinds of object this module does not know are left out, for the page to name generically.
    """
    entries = list(entries)
    wanted = {
        kind: {e.object_id for e in entries if e.object_type == kind and e.object_id is not None}
        for kind in {e.object_type for e in entries}
    }
    names = _load_names(wanted)
    return {
        (kind, object_id): _object_label(kind, object_id, names)
        for kind, ids in wanted.items()
        if kind in _OBJECT_LABELS
        for object_id in ids
    }


def entries_in_words(
    event: Event, entries: Iterable[AuditEntry], *, sensitive: bool
) -> dict[int, EntryWords]:
    """Each entry (by id) in words: what it was done to, and its details with labels for their
    keys, yes or no, local times with their zone, and the names of the objects they name by id.
    Without `sensitive`, a change of a sensitive field says that it changed, not to what.
    One query per kind of object named, however many entries there are."""
    entries = list(entries)
    names = _load_names(_ids_of(entries))
    wording = _Wording(event.timezone, names, sensitive)
    return {
        entry.id: EntryWords(
            on=_object_label(entry.object_type, entry.object_id, names)
            if entry.object_type in _OBJECT_LABELS and entry.object_id is not None
            else None,
            details=wording.details(entry),
        )
        for entry in entries
    }
