"""The demo data: the VGT conference of November 2014, as the source document describes it."""

import random
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

import sqlalchemy as sa

from conference.demo_dates import DemoDates, source_dates, upcoming_dates
from conference.demo_programme import move_programme, seed_programme
from conference.extensions import db
from conference.models import (
    Event,
    EventOrganisation,
    Invitation,
    Organisation,
    OrganisationKind,
    Registration,
    TeamRole,
    User,
    utcnow,
)
from conference.models import RegistrationStatus as Status
from conference.services.audit.writing import log_action
from conference.services.people.accounts import find_user, hash_password
from conference.services.people.team import create_team_member
from conference.services.privacy.notices import NoticeText, current_notice, publish_notice
from conference.services.programme.publishing import has_unpublished_changes, latest_version
from conference.services.registration import fields
from conference.services.registration.fields import RegistrationDetails, RegistrationField
from conference.services.registration.registration_invitations import Invitee, invite
from conference.services.registration.workflow import apply_details, approved_count, new_reference

EVENT_SLUG = "vgt-2014"
DEMO_ORGANISER_EMAIL = "organiser@vgt-conference.example"
DEMO_ORGANISER_PASSWORD = "amsterdam-demo-2014"  # demo data only; seed-demo refuses production
# Check-in staff reach the desk and nothing else; their role needs no second factor.
DEMO_DESK_EMAIL = "desk@vgt-conference.example"

Kind = OrganisationKind

HOST = ("Dutch National Police", "Politie", Kind.LAW_ENFORCEMENT, "NL", "https://www.politie.nl")
PARTNERS = [
    ("Federal Bureau of Investigation", "FBI", Kind.LAW_ENFORCEMENT, "US", "https://www.fbi.gov"),
    ("Europol", "Europol", Kind.INTERGOVERNMENTAL, "NL", "https://www.europol.europa.eu"),
    ("Interpol", "Interpol", Kind.INTERGOVERNMENTAL, "FR", "https://www.interpol.int"),
    ("Facebook", "Facebook", Kind.INDUSTRY, "US", "https://www.facebook.com"),
    ("ECPAT International", "ECPAT", Kind.NGO, "TH", "https://ecpat.org"),
    (
        "Terre des Hommes Netherlands",
        "Terre des Hommes",
        Kind.NGO,
        "NL",
        "https://www.terredeshommes.nl",
    ),
    ("Plan Nederland", "Plan", Kind.NGO, "NL", "https://www.planinternational.nl"),
    (
        "National Center for Missing & Exploited Children",
        "NCMEC",
        Kind.NGO,
        "US",
        "https://www.missingkids.org",
    ),
    (
        "Meldpunt Kindersekstoerisme",
        "Meldpunt",
        Kind.GOVERNMENT,
        "NL",
        "https://www.meldkindersekstoerisme.nl",
    ),
    ("Universiteit van Amsterdam", "UvA", Kind.ACADEMIA, "NL", "https://www.uva.nl"),
    ("Council of International Schools", "CIS", Kind.NGO, "NL", "https://www.cois.org"),
]
# Eighteen countries, among them those where Dutch liaison officers work: South-East Asia and
# South America.
COUNTRIES = [
    "NL",
    "US",
    "GB",
    "AU",
    "CA",
    "NZ",
    "IT",
    "AE",
    "KR",
    "CO",
    "PH",
    "CH",
    "DE",
    "BE",
    "FR",
    "TH",
    "KH",
    "BR",
]

DESCRIPTION = """\
The Virtual Global Taskforce (VGT) brings together countries, police forces, NGOs and companies \
(among them credit card companies and ICT firms) to fight the sexual abuse of children, online \
and offline. For two days in Amsterdam, delegates from eighteen countries share what they know \
and what they have learned in the field.

The programme covers child sex tourism and live streaming, the remote abuse of children in front \
of a webcam. Together we look at how to identify, help and protect more victims, how to trace \
not only the viewers but also those who make the abuse possible, how to make the public aware, \
and how to reduce the material that shows child sexual abuse.

The Dutch National Police hosts the conference. The Minister of Security and Justice opens it, \
with plans to tighten the law further. The police will speak about its liaison officers \
stationed in South-East Asia and South America, and about working with public and private \
partners and with NGOs in vulnerable regions.

This is a closed conference for professionals: every registration is vetted by the organisers."""

FIRST_NAMES = [
    "Anna",
    "Ben",
    "Carlos",
    "Daan",
    "Elena",
    "Femke",
    "Grace",
    "Hiro",
    "Isabel",
    "Jonas",
    "Kim",
    "Lucas",
    "Maria",
    "Noor",
    "Oliver",
    "Priya",
    "Quinn",
    "Rosa",
    "Sanne",
    "Tom",
    "Umar",
    "Vera",
    "Wei",
    "Yara",
    "Zoe",
    "Ahmed",
    "Bram",
    "Chloe",
    "Diego",
    "Eva",
]
LAST_NAMES = [
    "de Vries",
    "Smith",
    "Garcia",
    "Jansen",
    "Rossi",
    "Kim",
    "Bakker",
    "Silva",
    "Nguyen",
    "Visser",
    "Martin",
    "Santos",
    "Müller",
    "Dubois",
    "Brown",
    "Peeters",
    "Cruz",
    "Tanaka",
    "Wilson",
    "Meijer",
    "Reyes",
    "Lee",
    "Okafor",
    "Fischer",
    "Moreau",
    "Taylor",
]
# How demo registrations spread over the statuses, before the capacity caps the approved ones.
STATUS_WEIGHTS = {
    Status.APPROVED: 55,
    Status.PENDING: 20,
    Status.WAITLISTED: 10,
    Status.REJECTED: 8,
    Status.CANCELLED: 7,
}


@dataclass
class SeedReport:
    event: Event
    organiser_created: bool
    delegates_added: int
    days_moved: int  # how far the event moved from where an earlier run had put it


# The visa invitation letter's wording (the settings hold it; delegates download the letter).
LETTER_PURPOSE = (
    "The delegate takes part in the two-day conference of the Virtual Global Taskforce, where "
    "police forces, NGOs and industry share knowledge and experience so that more victims of "
    "online child sexual exploitation are identified, helped and protected, and offenders are "
    "traced."
)
LETTER_COSTS = (
    "The Dutch National Police bears the cost of the conference, its lunches and its "
    "materials. Travel, accommodation and insurance are borne by the delegate or their "
    "organisation."
)


# The privacy notice as the Dutch National Police would word it for the conference.
PRIVACY_NOTICE = NoticeText(
    controller=(
        "The Dutch National Police (Politie, National Unit), Nieuwe Uitleg 1, 2514 BP The Hague, "
        "the Netherlands, is the controller of the personal data you give when you register for "
        "the VGT International Conference 2014. The conference team of the National Unit "
        "handles it on the police's behalf."
    ),
    purpose=(
        "We use your name, email address, organisation, country and job title to vet your "
        "registration (the conference is closed to professionals working against child sexual "
        "exploitation), to make your badge, to check you in at the door and to write to you "
        "about the conference. Your dietary and accessibility needs are used only to look after "
        "you during the two days; the caterer sees counts, not names. Passport details you give "
        "for a visa invitation letter are used only for that letter.\n\n"
        "Only the organisers see your registration. Other delegates see your name, organisation "
        "and country in the participant directory only if you consent to it; the hotel and the "
        "photographers the same, each with its own consent."
    ),
    legal_basis=(
        "Running the conference is a task in the public interest of the police (article 6(1)(e) "
        "of the General Data Protection Regulation). Your dietary and accessibility needs, which "
        "can reveal health or belief, are processed with your explicit consent (article 9(2)(a)), "
        "given when you fill them in. The directory, the hotel and the photos rest on your "
        "consent alone (article 6(1)(a)), which you can withdraw at any time."
    ),
    retention=(
        "We keep your registration until three months after the conference, then delete or "
        "anonymise it; only counts (delegates per country and organisation) are kept for our "
        "report. The emails we send you, with whether they reached you, are kept until then "
        "too, and deleted with it. Passport details are deleted when the conference ends. The "
        "audit log of who changed what is kept for one year, for accountability."
    ),
    contact=(
        "The data protection officer of the Dutch National Police: "
        "privacy.vgt2014@politie.example, or by post to the address above, for the attention of "
        "the Functionaris Gegevensbescherming. We answer within one month."
    ),
    rights=(
        "You have the right to see the data we hold about you, to have it corrected or erased, "
        "to restrict or object to its use, and to receive it in a file you can take elsewhere. "
        "You can withdraw any consent on your registration page; it counts at once and does not "
        "affect what was done before.\n\n"
        "If you think we handle your data wrongly, you may complain to the Dutch Data "
        "Protection Authority (Autoriteit Persoonsgegevens), or to the supervisory authority "
        "of your own country."
    ),
)


def _organisation(name, short_name, kind, country, website) -> Organisation:
    organisation = db.session.scalars(
        sa.select(Organisation).where(Organisation.name == name)
    ).first()
    if organisation is None:
        organisation = Organisation(name=name)
        db.session.add(organisation)
    organisation.short_name = short_name
    organisation.kind = kind
    organisation.country = country
    organisation.website = website
    return organisation


@dataclass(frozen=True)
class _Move:
    days: int
    republish: bool  # the public saw the programme as it stood: they see it moved too


def _event(dates: DemoDates) -> tuple[Event, _Move | None]:
    """The demo event on `dates`, and how it moved from an earlier run's dates, if it did."""
    event = db.session.scalars(sa.select(Event).where(Event.slug == EVENT_SLUG)).first()
    move = None
    if event is None:
        event = Event(slug=EVENT_SLUG, capacity=150)
        db.session.add(event)
    elif event.starts_on != dates.first_day:
        published = latest_version(event) is not None
        move = _Move(
            (dates.first_day - event.starts_on).days,
            republish=published and not has_unpublished_changes(event),
        )
    event.name = "Virtual Global Taskforce International Conference 2014"
    event.short_name = "VGT 2014"
    event.reference_prefix = "VGT14"
    event.tagline = "Two days against the online and offline sexual exploitation of children"
    event.description = DESCRIPTION
    event.starts_on = dates.first_day
    event.ends_on = dates.last_day
    event.registration_opens_at = dates.registration_opens_at
    event.registration_closes_at = dates.registration_closes_at
    event.timezone = "Europe/Amsterdam"
    event.venue = "Conference centre, Amsterdam"
    event.city = "Amsterdam"
    event.country = "NL"
    event.approval_required = True
    event.invitation_only = False
    event.participating_countries = COUNTRIES
    event.letter_letterhead = "Dutch National Police\nNational Unit\nAmsterdam, the Netherlands"
    event.letter_purpose = LETTER_PURPOSE
    event.letter_costs = LETTER_COSTS
    event.letter_signatory_name = "Ruud Bik"
    event.letter_signatory_title = "Deputy Chief of Police, Dutch National Police"

    links = {link.organisation.name: link for link in event.organisations}
    for position, (row, is_host) in enumerate([(HOST, True)] + [(p, False) for p in PARTNERS]):
        organisation = _organisation(*row)
        link = links.get(organisation.name)
        if link is None:
            link = EventOrganisation(organisation=organisation)
            event.organisations.append(link)
        link.is_host = is_host
        link.position = position
    db.session.flush()
    return event, move


def _delegates(event: Event, count: int, organiser: User, now: datetime) -> int:
    """Delegates 1..count, each the same on every run: seeding twice adds nobody twice.

    They signed up while registration was open and before `now`, and were decided before the
    event and before `now`. Each registration carries its history in the audit log, as if the
    organiser had decided it; approvals stop at the capacity.
    """
    organisations = [link.organisation for link in event.organisations]
    unusable_password = hash_password(random.SystemRandom().randbytes(32).hex())
    approved = approved_count(event.id)
    opens = event.registration_opens_at
    signups_end = min(event.registration_closes_at, now)
    decisions_end = min(datetime.combine(event.starts_on, time(), UTC), now)
    made, references = [], set()
    notice_version = current_notice(event).version
    for number in range(1, count + 1):
        chance = random.Random(number)  # noqa: S311 (fictional data, not security)
        email = f"delegate{number:04d}@delegates.example"
        if find_user(email) is not None:
            continue
        signed_up = opens + chance.random() * (signups_end - opens)
        status = chance.choices(list(STATUS_WEIGHTS), weights=list(STATUS_WEIGHTS.values()))[0]
        if status == Status.APPROVED and approved >= event.capacity:
            status = Status.WAITLISTED
        approved += status == Status.APPROVED
        registration = _registration(
            event,
            number,
            email,
            status,
            signed_up,
            chance,
            organisations,
            unusable_password,
            organiser,
            new_reference(event, also_taken=references),
            decided_by=decisions_end,
            notice_version=notice_version,
        )
        references.add(registration.reference)
        made.append(registration)
    db.session.add_all(made)
    db.session.flush()
    for registration in made:
        _history(registration, organiser)
    return len(made)


def _answer(f: RegistrationField, number: int, chance, organisations) -> dict:
    """A fictional delegate's answer to a declared field: the field's own examples, or by kind."""
    if f.kind == fields.Kind.ORGANISATION:
        if chance.random() < 0.3:  # not on the partner list: typed in
            unit = f"{chance.choice(['National', 'Federal', 'Regional'])} Police Cybercrime Unit"
            return {f.name: None, f"{f.name}_other": unit}
        return {f.name: chance.choice(organisations)}
    if f.kind == fields.Kind.COUNTRY:
        return {f.name: COUNTRIES[(number - 1) % len(COUNTRIES)]}
    if f.kind == fields.Kind.YES_NO:
        return {f.name: chance.random() < 0.2}
    if f.kind == fields.Kind.CONSENT:
        return {f.name: chance.random() < 0.7}
    return {f.name: chance.choice(f.examples) if f.examples else ""}


def _registration(
    event,
    number,
    email,
    status,
    signed_up,
    chance,
    organisations,
    password,
    organiser,
    reference,
    *,
    decided_by: datetime,
    notice_version: int,
) -> Registration:
    """One fictional delegate's registration, who read the privacy notice `notice_version`;
    decided (or cancelled) a few days after signing up, and no later than `decided_by`."""
    decided = min(signed_up + timedelta(days=2), decided_by)
    registration = Registration(
        event=event,
        user=User(
            email=email,
            name=f"{chance.choice(FIRST_NAMES)} {chance.choice(LAST_NAMES)}",
            password_hash=password,
            email_verified_at=signed_up,
            created_at=signed_up,
        ),
        reference=reference,
        status=status,
        created_at=signed_up,
        decided_by=None if status in (Status.PENDING, Status.CANCELLED) else organiser,
        decided_at=None if status in (Status.PENDING, Status.CANCELLED) else decided,
        waitlisted_at=decided if status == Status.WAITLISTED else None,
        cancelled_at=(
            min(decided + timedelta(days=3), decided_by) if status == Status.CANCELLED else None
        ),
        decision_reason=(
            "Not working in the field of child protection." if status == Status.REJECTED else None
        ),
        privacy_notice_version=notice_version,
        privacy_notice_read_at=signed_up,
    )
    answers = {}
    for f in fields.FIELDS:
        answers.update(_answer(f, number, chance, organisations))
    apply_details(registration, RegistrationDetails(**answers), signed_up)
    return registration


def _history(registration: Registration, organiser: User) -> None:
    """The audit entries the registration's life would have written."""
    common = {"event_id": registration.event_id, "reference": registration.reference}
    log_action(
        "registration.submitted",
        registration,
        actor=registration.user,
        at=registration.created_at,
        to_status=str(Status.PENDING),
        **common,
    )
    if registration.status == Status.CANCELLED:
        log_action(
            "registration.cancelled",
            registration,
            actor=registration.user,
            at=registration.cancelled_at,
            from_status=str(Status.PENDING),
            to_status=str(Status.CANCELLED),
            **common,
        )
    elif registration.status != Status.PENDING:
        reason = {"reason": registration.decision_reason} if registration.decision_reason else {}
        log_action(
            f"registration.{registration.status}",
            registration,
            actor=organiser,
            at=registration.decided_at,
            from_status=str(Status.PENDING),
            to_status=str(registration.status),
            **common,
            **reason,
        )


# Fictional people the organisers invite personally; their emails go to the outbox.
INVITEES = [
    Invitee("liaison.bangkok@politie.example", "Pieter van Dam", "Politie", "NL"),
    Invitee("v.somchai@thaipolice.example", "Somchai Wongsakul", "Royal Thai Police", "TH"),
    Invitee("m.reyes@pnp.example", "Maria Reyes", "Philippine National Police", "PH"),
    Invitee("j.okafor@ecpat.example", "Joy Okafor", "ECPAT International", "TH"),
    Invitee("l.martin@ncmec.example", "Laura Martin", "NCMEC", "US"),
]


def _invitations(event: Event, organiser: User) -> None:
    """Invite the demo's invitees once; running again sends no new codes."""
    if db.session.scalar(sa.select(Invitation.id).where(Invitation.event_id == event.id)):
        return
    for invitee in INVITEES:
        invite(event, invitee, actor=organiser)


def seed_demo(
    delegates: int = 0, *, upcoming: bool = False, now: datetime | None = None
) -> SeedReport:
    """Create or bring up to date the VGT 2014 demo, on the source document's dates or, with
    `upcoming`, on the same weekdays of an upcoming November (`demo_dates`). Running it twice
    changes nothing; switching between the two moves the event, its registration window and
    its programme, and publishes the moved programme if the public saw it as it stood.
    Delegates seeded before keep their sign-up dates."""
    now = now or utcnow()
    event, move = _event(upcoming_dates(now) if upcoming else source_dates())
    organiser, organiser_created = create_team_member(
        event, DEMO_ORGANISER_EMAIL, DEMO_ORGANISER_PASSWORD, name="Demo Organiser"
    )
    create_team_member(
        event, DEMO_DESK_EMAIL, DEMO_ORGANISER_PASSWORD, name="Demo Desk", role=TeamRole.CHECK_IN
    )
    if move:
        move_programme(event, move.days, organiser, republish=move.republish)
    # Published before registration opened: the demo's delegates read it when they signed up.
    publish_notice(
        event,
        PRIVACY_NOTICE,
        actor=organiser,
        now=min(event.registration_opens_at - timedelta(days=7), now),
    )
    added = _delegates(event, delegates, organiser, now)
    _invitations(event, organiser)
    seed_programme(event, organiser)
    return SeedReport(
        event=event,
        organiser_created=organiser_created,
        delegates_added=added,
        days_moved=move.days if move else 0,
    )
