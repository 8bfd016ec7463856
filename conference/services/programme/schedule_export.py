"""The published programme in the c3voc schedule format that conference apps read.

Two renderings of one document: `schedule.json` (valid against the c3voc JSON schema) and
`schedule.xml` (valid against its XSD). Both come from the published snapshot only, never from
the live rows, and are deterministic: the same version gives the same bytes. Times are in the
event's time zone with their UTC offset; identifiers are uuid5s of the event's slug and the
session's (room's, speaker's) id, so they stay put from one version to the next.
"""

import json
import re
import unicodedata
import uuid
import xml.etree.ElementTree as ET  # noqa: S405 (we write XML, we never parse it)
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from conference.models import TAG_COLOURS, Event
from conference.services.links import absolute_url
from conference.services.programme.publishing import Programme, PublishedSession

SCHEMA_URL = "https://c3voc.de/schedule/schema.json"
TIMESLOT = "00:15"  # the public timetable's rows
LANGUAGE = "en"
# The palette's colours as Bootstrap 5 draws them (the tracks' `.tag-<colour>` classes).
# Characters XML 1.0 cannot carry at all, even escaped.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def guid(event: Event, kind: str, item_id: int) -> str:
    """A stable identifier: the same event, kind and id give the same uuid in every version."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"conference:{event.slug}/{kind}/{item_id}"))


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60].strip("-")


def acronym(event: Event) -> str:
    """The event's slug in the shape both schemas accept: `vgt-2014` becomes `vgt_2014`."""
    return re.sub(r"[^a-z0-9_]", "_", event.slug.lower()).ljust(4, "_")


def hh_mm(span: timedelta) -> str:
    minutes = int(span.total_seconds()) // 60
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@dataclass(frozen=True)
class _Place:
    """A column of the schedule: a room, or the venue for sessions in no particular room."""

    name: str
    guid: str
    capacity: int | None


class _Document:
    """The schedule once, for both renderings."""

    def __init__(self, programme: Programme, event: Event):
        self.programme = programme
        self.event = event
        self.acronym = acronym(event)
        self.places = {
            room.id: _Place(room.name, guid(event, "rooms", room.id), room.capacity)
            for room in programme.rooms
        }
        if any(session.room_id is None for session in programme.sessions):
            venue = event.venue or "All rooms"
            if venue in {place.name for place in self.places.values()}:
                venue += " (all rooms)"
            self.places[None] = _Place(venue, guid(event, "rooms", 0), None)
        self.track_slugs = self._track_slugs()

    def _track_slugs(self) -> dict[int, str]:
        slugs: dict[int, str] = {}
        for track in self.programme.tracks:
            slug = slugify(track.name)
            if not re.fullmatch(r"[a-z][a-z0-9-]+", slug) or slug in slugs.values():
                slug = f"track-{track.id}"
            slugs[track.id] = slug
        return slugs

    def local(self, moment: datetime) -> datetime:
        return self.programme.local(moment)

    def day_bounds(self, day: date, sessions: list[PublishedSession]) -> tuple[datetime, datetime]:
        """The day's first start and last end; the whole day when nothing is on."""
        if sessions:
            return (
                self.local(min(s.starts_at for s in sessions)),
                self.local(max(s.ends_at for s in sessions)),
            )
        zone = self.programme.zone
        return (
            datetime.combine(day, time(0, 0), zone),
            datetime.combine(day, time(23, 59), zone),
        )

    def session(self, session: PublishedSession) -> dict:
        """One session in the JSON shape; the XML is written from the same values."""
        track = self.programme.track(session.track_id)
        starts = self.local(session.starts_at)
        return {
            "id": session.id,
            "guid": guid(self.event, "sessions", session.id),
            "date": starts.isoformat(),
            "start": starts.strftime("%H:%M"),
            "end": self.local(session.ends_at).isoformat(),
            "duration": hh_mm(session.duration),
            "room": self.places[session.room_id].name,
            "slug": f"{self.acronym}-{session.id}-{slugify(session.title) or 'session'}",
            "url": absolute_url(
                "public.session", event_slug=self.event.slug, session_id=session.id
            ),
            "title": session.title,
            "subtitle": "",
            "track": track.name if track else None,
            "type": session.kind.label,
            "language": LANGUAGE,
            "abstract": session.abstract,
            "persons": [self.person(a.speaker_id) for a in session.appearances],
            "links": [],
        }

    def person(self, speaker_id: int) -> dict:
        speaker = self.programme.speaker(speaker_id)
        return {
            "id": speaker_id,
            "guid": guid(self.event, "speakers", speaker_id),
            "public_name": speaker.name if speaker else "",
            "biography": speaker.bio if speaker else "",
        }

    def days(self) -> list[dict]:
        days = []
        for index, day in enumerate(self.programme.days, start=1):
            sessions = self.programme.sessions_on(day)
            day_start, day_end = self.day_bounds(day, sessions)
            rooms: dict[str, list[dict]] = {place.name: [] for place in self.places.values()}
            for session in sessions:
                rooms[self.places[session.room_id].name].append(self.session(session))
            days.append(
                {
                    "index": index,
                    "date": day.isoformat(),
                    "day_start": day_start.isoformat(),
                    "day_end": day_end.isoformat(),
                    "rooms": rooms,
                }
            )
        return days

    def conference(self) -> dict:
        programme = self.programme
        return {
            "acronym": self.acronym,
            "title": self.event.name,
            "start": programme.first_day.isoformat(),
            "end": programme.last_day.isoformat(),
            "daysCount": len(programme.days),
            "timeslot_duration": TIMESLOT,
            "time_zone_name": programme.timezone,
            "url": absolute_url("public.programme", event_slug=self.event.slug),
            "tracks": [
                {
                    "name": track.name,
                    "slug": self.track_slugs[track.id],
                    "color": TAG_COLOURS[track.colour],
                }
                for track in programme.tracks
            ],
            "rooms": [
                {"name": place.name, "guid": place.guid, "capacity": place.capacity}
                for place in self.places.values()
            ],
            "days": self.days(),
        }


def schedule(programme: Programme, event: Event) -> dict:
    """The c3voc schedule document of a published programme, as plain data."""
    return {
        "$schema": SCHEMA_URL,
        "generator": {"name": "conference"},
        "schedule": {
            "version": str(programme.version),
            "base_url": absolute_url("public.event", event_slug=event.slug),
            "conference": _Document(programme, event).conference(),
        },
    }


def schedule_json(programme: Programme, event: Event) -> str:
    return json.dumps(schedule(programme, event), ensure_ascii=False, indent=2) + "\n"


def _clean(value) -> str:
    return _NOT_XML.sub("", "" if value is None else str(value))


def _element(parent: ET.Element, tag: str, text=None, **attributes) -> ET.Element:
    child = ET.SubElement(parent, tag, {k: _clean(v) for k, v in attributes.items()})
    if text is not None:
        child.text = _clean(text)
    return child


def schedule_xml(programme: Programme, event: Event) -> str:
    """The same schedule as `schedule.xml`: well-formed, every text and attribute escaped."""
    document = schedule(programme, event)["schedule"]
    conference = document["conference"]
    root = ET.Element("schedule")
    _element(root, "generator", name="conference")
    _element(root, "url", absolute_url("public.schedule_xml", event_slug=event.slug))
    _element(root, "version", document["version"])
    head = _element(root, "conference")
    for tag, key in [
        ("acronym", "acronym"),
        ("title", "title"),
        ("start", "start"),
        ("end", "end"),
        ("days", "daysCount"),
        ("timeslot_duration", "timeslot_duration"),
        ("base_url", None),
        ("url", "url"),
        ("time_zone_name", "time_zone_name"),
    ]:
        _element(head, tag, document["base_url"] if key is None else conference[key])
    for track in conference["tracks"]:
        _element(head, "track", track["name"], name=track["name"], color=track["color"])
        head[-1].set("slug", track["slug"])
    room_guids = {room["name"]: room["guid"] for room in conference["rooms"]}
    for day in conference["days"]:
        day_element = _element(
            root,
            "day",
            index=day["index"],
            date=day["date"],
            start=day["day_start"],
            end=day["day_end"],
        )
        for room_name, sessions in day["rooms"].items():
            room = _element(day_element, "room", name=room_name, guid=room_guids[room_name])
            for session in sessions:
                _session_element(room, session)
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, "unicode") + "\n"


def _session_element(room: ET.Element, session: dict) -> None:
    element = _element(room, "event", id=session["id"], guid=session["guid"])
    for tag in ("date", "start", "duration", "room", "slug", "url", "title", "subtitle"):
        _element(element, tag, session[tag])
    _element(element, "track", session["track"] or "")
    for tag in ("type", "language", "abstract"):
        _element(element, tag, session[tag])
    persons = _element(element, "persons")
    for person in session["persons"]:
        _element(persons, "person", person["public_name"], id=person["id"], guid=person["guid"])
    _element(element, "links")
