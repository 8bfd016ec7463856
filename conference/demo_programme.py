# ruff: noqa: E501  (the demo's texts are data, one per line)
"""The demo's two-day programme: the themes of the VGT 2014 conference, with fictional session
titles and speakers from the real partner organisations. Published as version 1."""

from datetime import date, datetime, time, timedelta

import sqlalchemy as sa

from conference.extensions import db
from conference.local_time import to_local, to_utc
from conference.models import (
    Event,
    Organisation,
    ProgrammeSession,
    Room,
    SessionSpeaker,
    Speaker,
    Track,
    User,
)
from conference.services.programme.publishing import latest_version, publish

ROOMS = [("Auditorium", 180), ("Amstel room", 35), ("IJ room", 25), ("Vondel room", 20)]

TRACKS = {
    "tourism": ("Child sex tourism", "red", "Offenders who travel to abuse children abroad."),
    "streaming": (
        "Live streaming of abuse",
        "purple",
        "Abuse to order, watched through a webcam from the other side of the world.",
    ),
    "victims": (
        "Victim identification",
        "teal",
        "Finding the children in the images, and bringing them to safety.",
    ),
    "offenders": ("Tracing offenders", "blue", "From a nickname and a payment to a suspect."),
    "cooperation": (
        "Public–private cooperation",
        "orange",
        "Police, industry and NGOs working on the same cases.",
    ),
    "liaison": (
        "Liaison officers abroad",
        "green",
        "The Dutch liaison officers in South-East Asia and South America, and their partners.",
    ),
}

# key: (name, job title, organisation's short name or a name as typed, short bio)
SPEAKERS = {
    "dekker": (
        "Marleen Dekker",
        "Deputy Chief of Police",
        "Politie",
        "Leads the police's work against child sexual exploitation in the Netherlands.",
    ),
    "hollis": (
        "Daniel Hollis",
        "Supervisory Special Agent, Crimes Against Children",
        "FBI",
        "Twenty years of investigations into travelling child sex offenders.",
    ),
    "verbeek": (
        "Sanne Verbeek",
        "Liaison officer, Bangkok",
        "Politie",
        "Dutch police liaison officer for child sex tourism in South-East Asia since 2014.",
    ),
    "alvarez": (
        "Lucía Álvarez",
        "Liaison officer, Bogotá",
        "Politie",
        "Dutch police liaison officer for South America.",
    ),
    "kowalski": (
        "Piotr Kowalski",
        "Analyst, European Cybercrime Centre",
        "Europol",
        "Works on the analysis project against child sexual exploitation online.",
    ),
    "renard": (
        "Claire Renard",
        "Coordinator, Crimes against Children",
        "Interpol",
        "Runs the international child sexual exploitation image database team.",
    ),
    "nakamura": (
        "Kenji Nakamura",
        "Head of Safety Investigations",
        "Facebook",
        "Leads the team that finds and reports child exploitation on the platform.",
    ),
    "suwan": (
        "Dara Suwan",
        "Programme Manager",
        "ECPAT",
        "Twelve years of work against the sexual exploitation of children in tourism.",
    ),
    "bakker": (
        "Joost Bakker",
        "Campaign Lead",
        "Terre des Hommes",
        "Works on webcam child sex tourism in the Philippines.",
    ),
    "visser": (
        "Ilse Visser",
        "Child Protection Adviser",
        "Plan",
        "Child protection in community programmes in Asia.",
    ),
    "grant": (
        "Rebecca Grant",
        "Director, Exploited Children Division",
        "NCMEC",
        "Oversees the handling of CyberTipline reports.",
    ),
    "mulder": (
        "Thijs Mulder",
        "Head of Reports",
        "Meldpunt",
        "Runs the Dutch hotline for reports of child sex tourism.",
    ),
    "jansen": (
        "Prof. Eva Jansen",
        "Professor of Criminology",
        "UvA",
        "Researches travelling sex offenders and their routes.",
    ),
    "okoro": (
        "Grace Okoro",
        "Safeguarding Director",
        "CIS",
        "Advises international schools on child protection.",
    ),
    "smit": (
        "Ruben Smit",
        "Team Leader, Victim Identification",
        "Politie",
        "Leads the Dutch team that identifies children in abuse images.",
    ),
    "dijkstra": (
        "Anouk Dijkstra",
        "Financial Investigator",
        "Politie",
        "Follows the payments behind live-streamed abuse.",
    ),
    "berg": (
        "Maarten van den Berg",
        "Digital Forensics Expert",
        "Politie",
        "Undercover and dark-web investigations.",
    ),
    "santos": (
        "Maria Santos",
        "Superintendent, Women and Children Protection",
        "Philippine National Police",
        "Leads rescues of children abused for webcam customers.",
    ),
    "tanaka": (
        "Aiko Tanaka",
        "Public Prosecutor",
        "Openbaar Ministerie",
        "Prosecutes child sex tourism cases under Dutch extraterritorial law.",
    ),
    "wright": (
        "Oliver Wright",
        "Child Protection Lead",
        "National Crime Agency",
        "Works on travelling offenders from the United Kingdom.",
    ),
    "moreau": (
        "Julien Moreau",
        "Specialist, Victim Identification",
        "Interpol",
        "Trains police forces in victim identification.",
    ),
    "peters": (
        "Linda Peters",
        "Psychologist",
        "Politie",
        "Interviews child victims and trains investigators to do so.",
    ),
}

# (day 1 or 2, start, end, kind, title, room or None for everyone, track or None, capacity,
#  [(speaker, role)], abstract)
SESSIONS = [
    (
        1,
        "08:30",
        "09:15",
        "break",
        "Registration and coffee",
        None,
        None,
        None,
        [],
        "Collect your badge at the desk in the foyer.",
    ),
    (
        1,
        "09:15",
        "09:45",
        "plenary",
        "Opening of the conference",
        "Auditorium",
        None,
        None,
        [("dekker", "speaker")],
        "Welcome by the host, and why two days on child sex tourism and live streaming matter now.",
    ),
    (
        1,
        "09:45",
        "10:30",
        "plenary",
        "Abuse to order: live streaming in numbers",
        "Auditorium",
        "streaming",
        None,
        [("kowalski", "speaker"), ("dekker", "chair")],
        "What the cases of the past two years tell us about who pays to watch, who delivers, and how the money moves.",
    ),
    (1, "10:30", "11:00", "break", "Coffee", None, None, None, [], ""),
    (
        1,
        "11:00",
        "12:30",
        "panel",
        "Child sex tourism in South-East Asia: from report to arrest",
        "Auditorium",
        "tourism",
        None,
        [("suwan", "chair"), ("verbeek", "speaker"), ("hollis", "speaker"), ("santos", "speaker")],
        "A case followed from the first report by a tourist to the arrest and trial of the offender, told by those who worked on it.",
    ),
    (
        1,
        "12:30",
        "13:30",
        "break",
        "Lunch",
        None,
        None,
        None,
        [],
        "In the restaurant on the ground floor.",
    ),
    (
        1,
        "13:30",
        "15:00",
        "workshop",
        "Finding the child: victim identification from images",
        "IJ room",
        "victims",
        25,
        [("smit", "speaker"), ("moreau", "speaker")],
        "Hands-on: the clues in an image that lead to a place and a child. Bring a laptop.",
    ),
    (
        1,
        "13:30",
        "15:00",
        "workshop",
        "Following the money in live-streaming cases",
        "Amstel room",
        "streaming",
        35,
        [("dijkstra", "speaker"), ("grant", "moderator")],
        "Payment patterns of webcam customers, and what banks and money-transfer services can tell you.",
    ),
    (
        1,
        "13:30",
        "15:00",
        "workshop",
        "Working with liaison officers abroad",
        "Vondel room",
        "liaison",
        20,
        [("alvarez", "speaker"), ("verbeek", "speaker")],
        "How to ask for help abroad, what a liaison officer can and cannot do, and how to prepare a request.",
    ),
    (1, "15:00", "15:30", "break", "Coffee", None, None, None, [], ""),
    (
        1,
        "15:30",
        "17:00",
        "workshop",
        "Tracing offenders who travel",
        "Amstel room",
        "offenders",
        35,
        [("wright", "speaker"), ("tanaka", "speaker")],
        "Travel alerts, passport notices and prosecuting abroad under Dutch law.",
    ),
    (
        1,
        "15:30",
        "17:00",
        "workshop",
        "Reports from industry: making them count",
        "IJ room",
        "cooperation",
        25,
        [("nakamura", "speaker"), ("grant", "speaker")],
        "From a platform's report to a police case: what is in a report, and what investigators need.",
    ),
    (
        1,
        "15:30",
        "17:00",
        "workshop",
        "Interviewing child victims across cultures",
        "Vondel room",
        "victims",
        20,
        [("peters", "speaker"), ("visser", "speaker")],
        "Practical guidance for interviews with children through interpreters.",
    ),
    (
        1,
        "17:00",
        "17:30",
        "plenary",
        "The first day in review",
        "Auditorium",
        None,
        None,
        [("renard", "chair")],
        "What we heard today, and the questions for tomorrow.",
    ),
    (
        1,
        "19:00",
        "22:00",
        "social",
        "Conference dinner",
        None,
        None,
        None,
        [],
        "On a canal boat; the boat leaves from the venue at 19:00.",
    ),
    (
        2,
        "09:00",
        "09:45",
        "plenary",
        "Liaison officers in South-East Asia and South America: the first six months",
        "Auditorium",
        "liaison",
        None,
        [("verbeek", "speaker"), ("alvarez", "speaker"), ("dekker", "chair")],
        "Three liaison officers on their first cases and partners abroad.",
    ),
    (
        2,
        "09:45",
        "10:45",
        "panel",
        "Public–private cooperation against online exploitation",
        "Auditorium",
        "cooperation",
        None,
        [
            ("okoro", "moderator"),
            ("nakamura", "speaker"),
            ("grant", "speaker"),
            ("mulder", "speaker"),
        ],
        "Industry, hotlines and police on sharing information quickly and lawfully.",
    ),
    (2, "10:45", "11:15", "break", "Coffee", None, None, None, [], ""),
    (
        2,
        "11:15",
        "12:30",
        "workshop",
        "Undercover on the dark web",
        "Amstel room",
        "offenders",
        35,
        [("berg", "speaker")],
        "Methods and legal limits of online undercover work in child abuse cases.",
    ),
    (
        2,
        "11:15",
        "12:30",
        "workshop",
        "Decoys and proactive detection of webcam abuse",
        "IJ room",
        "streaming",
        25,
        [("bakker", "speaker"), ("kowalski", "speaker")],
        "What proactive detection found, and what it means for investigations.",
    ),
    (
        2,
        "11:15",
        "12:30",
        "workshop",
        "Prevention and awareness campaigns that work",
        "Vondel room",
        "tourism",
        20,
        [("suwan", "speaker"), ("mulder", "speaker")],
        "Campaigns aimed at travellers, and how to measure their effect.",
    ),
    (2, "12:30", "13:30", "break", "Lunch", None, None, None, [], ""),
    (
        2,
        "13:30",
        "14:30",
        "panel",
        "Victim support across borders",
        "Auditorium",
        "victims",
        None,
        [("visser", "chair"), ("suwan", "speaker"), ("bakker", "speaker"), ("santos", "speaker")],
        "After the rescue: care, schooling and safety for children, and their role in the trial.",
    ),
    (
        2,
        "14:30",
        "15:15",
        "plenary",
        "What research tells us about travelling offenders",
        "Auditorium",
        "tourism",
        None,
        [("jansen", "speaker")],
        "Findings from interviews and case files in five countries.",
    ),
    (
        2,
        "15:15",
        "15:45",
        "plenary",
        "Conclusions and the road ahead",
        "Auditorium",
        None,
        None,
        [("dekker", "speaker"), ("hollis", "speaker")],
        "What the partners of the Virtual Global Taskforce will do next.",
    ),
    (
        2,
        "15:45",
        "16:30",
        "social",
        "Farewell reception",
        None,
        None,
        None,
        [],
        "Drinks in the foyer.",
    ),
]


def _local(event: Event, day: int, clock: str) -> datetime:
    """A time of the programme's day 1 or 2, in UTC as the database hands it back: the
    published snapshot must match what the timetable reads later."""
    on = date.fromordinal(event.starts_on.toordinal() + day - 1)
    return to_utc(datetime.combine(on, time.fromisoformat(clock)), event.timezone)


def seed_programme(event: Event, organiser: User) -> None:
    """Create and publish the demo programme, once: an event with rooms already keeps its own."""
    if db.session.scalar(sa.select(Room.id).where(Room.event_id == event.id).limit(1)):
        return
    rooms = {
        name: Room(event=event, name=name, capacity=capacity, position=position)
        for position, (name, capacity) in enumerate(ROOMS)
    }
    tracks = {
        key: Track(event=event, name=name, colour=colour, description=description)
        for key, (name, colour, description) in TRACKS.items()
    }
    partners = {link.organisation.short_name: link.organisation for link in event.organisations}
    speakers = {}
    for key, (name, title, organisation, bio) in SPEAKERS.items():
        known: Organisation | None = partners.get(organisation)
        speakers[key] = Speaker(
            event=event,
            name=name,
            title=title,
            organisation=known,
            organisation_other="" if known else organisation,
            bio=bio,
        )
    db.session.add_all([*rooms.values(), *tracks.values(), *speakers.values()])
    for day, start, end, kind, title, room, track, capacity, parts, abstract in SESSIONS:
        session = ProgrammeSession(
            event=event,
            title=title,
            abstract=abstract,
            kind=kind,
            starts_at=_local(event, day, start),
            ends_at=_local(event, day, end),
            room=rooms[room] if room else None,
            track=tracks[track] if track else None,
            capacity=capacity,
        )
        session.speakers = [
            SessionSpeaker(speaker=speakers[key], role=role, position=position)
            for position, (key, role) in enumerate(parts)
        ]
        db.session.add(session)
    db.session.flush()
    if latest_version(event) is None:
        publish(event, actor=organiser)


def move_programme(event: Event, days: int, organiser: User, *, republish: bool) -> None:
    """Move the event's sessions by `days`, each at the same local time (whatever the clocks
    did in between); with `republish`, publish the moved programme as its next version."""

    def moved(moment: datetime) -> datetime:
        return to_utc(to_local(moment, event.timezone) + timedelta(days=days), event.timezone)

    sessions = db.session.scalars(
        sa.select(ProgrammeSession).where(ProgrammeSession.event_id == event.id)
    ).all()
    for session in sessions:
        session.starts_at, session.ends_at = moved(session.starts_at), moved(session.ends_at)
    db.session.flush()
    if republish:
        publish(event, actor=organiser)
