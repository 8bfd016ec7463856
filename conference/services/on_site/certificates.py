"""Certificates of attendance: the days a delegate was checked in and the workshops they came
to, as a PDF that police officers file in their training records."""

import io
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from conference.extensions import db
from conference.local_time import date_range, format_local_span, local_date
from conference.models import (
    CheckIn,
    Event,
    ProgrammeSession,
    Registration,
    SessionAttendance,
    User,
    utcnow,
)
from conference.models import RegistrationStatus as Status
from conference.services.audit.writing import log_action
from conference.services.errors import DomainError
from conference.services.on_site.pdf_text import (
    draw_text,
    draw_wrapped,
    fitted_size,
    font_for,
    for_display,
)
from conference.services.text import counted

WIDTH, HEIGHT = A4
MARGIN = 22 * mm


@dataclass(frozen=True)
class WorkshopAttended:
    title: str
    starts_at: datetime
    ends_at: datetime

    @property
    def minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)


@dataclass(frozen=True)
class Attendance:
    registration: Registration
    days: list[date]
    workshops: list[WorkshopAttended]


class CertificateNotAvailable(DomainError):
    """No certificate: the event is not over, or the delegate never checked in."""


def _over(event: Event, now: datetime | None) -> bool:
    return (now or utcnow()) >= event.ends_at


def attendance_of(registrations: list[Registration]) -> list[Attendance]:
    """Each registration's days at the desk and workshops at the door, in time order; those
    with no check-in are left out. Two queries, however many registrations."""
    ids = [r.id for r in registrations]
    days: dict[int, list[date]] = {}
    for registration_id, day in db.session.execute(
        sa.select(CheckIn.registration_id, CheckIn.day)
        .where(CheckIn.registration_id.in_(ids))
        .order_by(CheckIn.day)
    ):
        days.setdefault(registration_id, []).append(day)
    workshops: dict[int, list[WorkshopAttended]] = {}
    for registration_id, title, starts, ends in db.session.execute(
        sa.select(
            SessionAttendance.registration_id,
            ProgrammeSession.title,
            ProgrammeSession.starts_at,
            ProgrammeSession.ends_at,
        )
        .join(ProgrammeSession, ProgrammeSession.id == SessionAttendance.session_id)
        .where(SessionAttendance.registration_id.in_(ids))
        .order_by(ProgrammeSession.starts_at, ProgrammeSession.title)
    ):
        workshops.setdefault(registration_id, []).append(WorkshopAttended(title, starts, ends))
    return [
        Attendance(r, days[r.id], workshops.get(r.id, [])) for r in registrations if r.id in days
    ]


def certificate_available(registration: Registration, *, now: datetime | None = None) -> bool:
    """A certificate exists once the event's last day has passed, for a delegate who was
    checked in on at least one day."""
    if not _over(registration.event, now) or registration.status != Status.APPROVED:
        return False
    return bool(attendance_of([registration]))


def certificate_pdf(registration: Registration, *, now: datetime | None = None) -> bytes:
    """The delegate's certificate of attendance; refused before the event's last day has
    passed, and to a delegate who never checked in."""
    event = registration.event
    if not _over(event, now):
        raise CertificateNotAvailable(
            f"Certificates of attendance are ready once {event.short_name} is over, "
            f"after {event.ends_on:%-d %B %Y}."
        )
    attended = attendance_of([registration]) if registration.status == Status.APPROVED else []
    if not attended:
        raise CertificateNotAvailable(
            "A certificate of attendance is for delegates checked in at the conference; "
            "the desk has no check-in of yours."
        )
    return _pdf(event, attended, now=now)


def all_certificates_pdf(event: Event, *, actor: User, now: datetime | None = None) -> bytes:
    """Every certificate of the event in one PDF, a page each, by name: for the approved
    delegates checked in on at least one day, once the event is over. Audited, since it holds
    the names of everyone who came."""
    if not _over(event, now):
        raise CertificateNotAvailable(
            f"Certificates of attendance are ready once {event.short_name} is over, "
            f"after {event.ends_on:%-d %B %Y}."
        )
    registrations = list(
        db.session.scalars(
            sa.select(Registration)
            .join(User, User.id == Registration.user_id)
            .where(Registration.event_id == event.id, Registration.status == Status.APPROVED)
            .order_by(User.name, Registration.reference)
        )
    )
    attended = attendance_of(registrations)
    if not attended:
        raise CertificateNotAvailable("No delegate was checked in: there is no certificate.")
    log_action("certificates.downloaded", event, actor=actor, event_id=event.id, rows=len(attended))
    return _pdf(event, attended, now=now)


# --- drawing ----------------------------------------------------------------------------------


def _duration(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    if not hours:
        return counted(rest, "minute")
    return counted(hours, "hour") + (f" {counted(rest, 'minute')}" if rest else "")


def _page(canvas: Canvas, event: Event, attended: Attendance, issued: date) -> None:
    registration = attended.registration
    inner = WIDTH - 2 * MARGIN
    canvas.setTitle(f"Certificate of attendance · {event.short_name}")
    canvas.setStrokeColorRGB(0.08, 0.2, 0.36)
    canvas.setLineWidth(2)
    canvas.rect(12 * mm, 12 * mm, WIDTH - 24 * mm, HEIGHT - 24 * mm)
    y = HEIGHT - 40 * mm
    host = event.host.name if event.host else ""
    if host:
        draw_text(canvas, WIDTH / 2, y, host, 11, centred=True)
        y -= 14 * mm
    draw_text(canvas, WIDTH / 2, y, "Certificate of attendance", 26, bold=True, centred=True)
    y -= 16 * mm
    draw_text(canvas, WIDTH / 2, y, "This is to certify that", 12, centred=True)
    y -= 13 * mm
    name = registration.user.name
    size = fitted_size(for_display(name), font_for(name, bold=True), inner, 22, 12)
    draw_text(canvas, WIDTH / 2, y, name, size, bold=True, centred=True)
    y -= 8 * mm
    organisation = registration.organisation_name
    if organisation:
        draw_text(canvas, WIDTH / 2, y, organisation, 12, centred=True)
        y -= 12 * mm
    where = f"in {event.city}, " if event.city else ""
    y = draw_wrapped(
        canvas,
        MARGIN,
        y,
        f"attended {event.name}, held {where}{date_range(event.starts_on, event.ends_on)}"
        + (f", hosted by {host}." if host else "."),
        12,
        inner,
    )
    y -= 6 * mm
    draw_text(canvas, MARGIN, y, "Days attended", 13, bold=True)
    y -= 7 * mm
    for day in attended.days:
        draw_text(canvas, MARGIN, y, f"{day:%A %-d %B %Y}", 11)
        y -= 6 * mm
    y -= 4 * mm
    draw_text(canvas, MARGIN, y, "Workshops attended", 13, bold=True)
    y -= 7 * mm
    if not attended.workshops:
        draw_text(canvas, MARGIN, y, "None recorded at a workshop door.", 11)
        y -= 6 * mm
    for workshop in attended.workshops:
        y = draw_wrapped(canvas, MARGIN, y, workshop.title, 11, inner)
        when = format_local_span(workshop.starts_at, workshop.ends_at, event.timezone)
        draw_text(canvas, MARGIN + 4 * mm, y, f"{when} · {_duration(workshop.minutes)}", 10)
        y -= 8 * mm
        if y < 70 * mm:  # the rest would run into the signature
            canvas.showPage()
            y = HEIGHT - 30 * mm
    signatory = event.letter_signatory_name
    if signatory:
        draw_text(canvas, MARGIN, 48 * mm, signatory, 11, bold=True)
        if event.letter_signatory_title:
            draw_text(canvas, MARGIN, 42 * mm, event.letter_signatory_title, 10)
    draw_text(canvas, MARGIN, 28 * mm, f"Reference {registration.reference}", 10)
    draw_text(canvas, MARGIN, 22 * mm, f"Issued on {issued:%-d %B %Y}", 10)
    canvas.showPage()


def _pdf(event: Event, attended: list[Attendance], *, now: datetime | None) -> bytes:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4)
    issued = local_date(now or utcnow(), event.timezone)
    for each in attended:
        _page(canvas, event, each, issued)
    canvas.save()
    return buffer.getvalue()
