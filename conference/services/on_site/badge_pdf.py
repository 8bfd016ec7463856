"""Badges as PDF, ready to print: one A6 badge a page, or A4 sheets of four A6 badges with crop
marks; and the downloads that ask for them (a delegate's own, one registration's, a list's).

A badge is read at two metres: the name as large as it fits (two lines rather than a size too
small to read), the role in a coloured band a volunteer tells apart at a glance, and the QR
code the desk scans, carrying the badge's token and nothing else about its bearer. Every piece
of text stays inside a safe margin, so a printer that cannot print to the edge loses nothing.
"""

import enum
import io
from collections.abc import Sequence
from dataclasses import dataclass

import segno
import sqlalchemy as sa
from reportlab.lib.pagesizes import A4, A6, landscape
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from conference.countries import country_name
from conference.extensions import db
from conference.local_time import date_range
from conference.models import Badge, BadgeRole, Event, Registration, User
from conference.models import RegistrationStatus as Status
from conference.services.audit.writing import log_action
from conference.services.on_site import badges
from conference.services.on_site.badges import BadgeNotAvailable
from conference.services.on_site.pdf_text import draw_text, fitted_size, font_for, for_display
from conference.services.registration.listing import RegistrationFilter, registrations_query

# Landscape: the width of A6 holds a 60-letter name in two lines at a size read at two metres.
BADGE_WIDTH, BADGE_HEIGHT = landscape(A6)
SHEET = landscape(A4)  # four badges, two across and two down
SAFE = 6 * mm  # nothing is printed closer to a badge's edge
INNER = BADGE_WIDTH - 2 * SAFE
# The name: as large as it fits, and never smaller than what reads at two metres.
NAME_LARGEST, NAME_READABLE = 44.0, 20.0
NAME_TWO_LINES_LARGEST = 34.0  # two lines of this still leave room for the rest
NAME_ONE_LINE = 28.0  # below this, two lines of a larger size read better
BAND_TOP = SAFE + 17 * mm  # the role's band, along the bottom
QR_SIZE = 30 * mm  # quiet zone included
CROP_MARK = 7 * mm  # how far a crop mark reaches in from the sheet's edge

# A colour each, far apart: the band is what a volunteer looks at first.
ROLE_COLOURS: dict[BadgeRole, tuple[float, float, float]] = {
    BadgeRole.DELEGATE: (0.11, 0.31, 0.54),  # blue
    BadgeRole.SPEAKER: (0.83, 0.33, 0.0),  # orange
    BadgeRole.CHAIR: (0.42, 0.2, 0.51),  # purple
    BadgeRole.ORGANISER: (0.75, 0.11, 0.17),  # red
    BadgeRole.STAFF: (0.12, 0.52, 0.29),  # green
    BadgeRole.PRESS: (0.13, 0.13, 0.13),  # black
}


class Layout(enum.StrEnum):
    A6 = "a6"
    A4 = "a4"

    @property
    def label(self) -> str:
        return "A6, one badge a page" if self is Layout.A6 else "A4 sheets of four, with crop marks"


@dataclass(frozen=True)
class Slot:
    """Where a badge sits on its page: its lower left corner, in points."""

    x: float
    y: float


def sheet_slots() -> list[Slot]:
    """The four badges of an A4 sheet (landscape), in reading order: two across, two down,
    centred (A4 is a millimetre wider than two A6)."""
    left = (SHEET[0] - 2 * BADGE_WIDTH) / 2
    bottom = (SHEET[1] - 2 * BADGE_HEIGHT) / 2
    return [
        Slot(left + column * BADGE_WIDTH, bottom + (1 - row) * BADGE_HEIGHT)
        for row in range(2)
        for column in range(2)
    ]


def crop_marks() -> list[tuple[float, float, float, float]]:
    """The crop marks of an A4 sheet as lines (x1, y1, x2, y2): on every line the guillotine
    cuts between and around the badges, from each edge of the sheet inwards, and a cross where
    the two inner cuts meet. Four A6 fill the sheet, so there is no room outside the badges;
    the marks lie on the cuts, and the cuts take them off."""
    width, height = SHEET
    slots = sheet_slots()
    across = sorted({s.x for s in slots} | {s.x + BADGE_WIDTH for s in slots})
    down = sorted({s.y for s in slots} | {s.y + BADGE_HEIGHT for s in slots})
    marks = []
    for x in across:
        if 0 < x < width:  # the sheet's own edge needs no cut
            marks += [(x, 0, x, CROP_MARK), (x, height - CROP_MARK, x, height)]
    for y in down:
        if 0 < y < height:
            marks += [(0, y, CROP_MARK, y), (width - CROP_MARK, y, width, y)]
    centre_x, centre_y = across[1], down[1]
    marks += [
        (centre_x - CROP_MARK / 2, centre_y, centre_x + CROP_MARK / 2, centre_y),
        (centre_x, centre_y - CROP_MARK / 2, centre_x, centre_y + CROP_MARK / 2),
    ]
    return marks


@dataclass(frozen=True)
class BadgeFace:
    """What one badge says."""

    name: str
    organisation: str
    country: str
    role: BadgeRole
    token: str

    @classmethod
    def of(cls, badge: Badge) -> "BadgeFace":
        registration = badge.registration
        return cls(
            name=registration.user.name,
            organisation=registration.organisation_name,
            country=country_name(registration.country) if registration.country else "",
            role=BadgeRole(badge.role),
            token=badges.token_of(badge),
        )


# --- drawing ----------------------------------------------------------------------------------


def _halves(text: str) -> list[str]:
    """`text` in two lines as even as can be, split at a space or after a hyphen (a double
    surname breaks where it is joined); one line if it has neither."""
    splits = [
        (text[:i].rstrip(), text[i:].lstrip())
        for i in range(1, len(text))
        if text[i] == " " or (text[i - 1] == "-" and text[i] != " ")
    ]
    splits = [pair for pair in splits if all(pair)]
    if not splits:
        return [text]
    font = font_for(text, bold=True)
    return list(
        min(splits, key=lambda pair: max(stringWidth(for_display(p), font, 10) for p in pair))
    )


def name_lines(name: str) -> tuple[list[str], float]:
    """The name's lines (as written, not yet for display) and their size: one line at the
    largest size that fits, while that is at least `NAME_ONE_LINE`; otherwise two lines, split
    where they come out most even, at the largest size both fit; lines at the readable size
    only for a name whose halves are too long even for that."""
    font = font_for(name, bold=True)
    one = fitted_size(for_display(name), font, INNER, NAME_LARGEST, NAME_READABLE)
    if one >= NAME_ONE_LINE and stringWidth(for_display(name), font, one) <= INNER:
        return [name], one
    halves = _halves(name)
    size = min(
        fitted_size(for_display(h), font, INNER, NAME_TWO_LINES_LARGEST, NAME_READABLE)
        for h in halves
    )
    if all(stringWidth(for_display(h), font, size) <= INNER for h in halves):
        return halves, size
    return simpleSplit(name, font, NAME_READABLE, INNER), NAME_READABLE


def _fitted(
    text: str, largest: float, smallest: float, *, bold=False, width: float = INNER
) -> tuple[list[str], float]:
    """`text` on one line as large as it fits `width`, or on two at `smallest`."""
    font = font_for(text, bold=bold)
    size = fitted_size(for_display(text), font, width, largest, smallest)
    if stringWidth(for_display(text), font, size) <= width:
        return [text], size
    return simpleSplit(text, font, smallest, width)[:2], smallest


def _qr_code(canvas: Canvas, token: str, x: float, y: float) -> None:
    """The token's QR code with its quiet zone of four modules, `QR_SIZE` square from (x, y)."""
    code = segno.make(token, error="m", micro=False)
    rows = code.matrix
    module = QR_SIZE / (len(rows) + 8)
    path = canvas.beginPath()
    for r, row in enumerate(rows):
        top = y + QR_SIZE - (r + 4 + 1) * module
        c = 0
        while c < len(row):  # a run of dark modules is one rectangle
            if row[c]:
                start = c
                while c < len(row) and row[c]:
                    c += 1
                path.rect(x + (start + 4) * module, top, (c - start) * module, module)
            else:
                c += 1
    canvas.setFillColorRGB(0, 0, 0)
    canvas.drawPath(path, stroke=0, fill=1)


def draw_badge(canvas: Canvas, event: Event, face: BadgeFace) -> None:
    """One badge, its lower left corner at the canvas's origin: the event at the top, the name
    across the whole width, organisation and country beside the QR code, the role's band."""
    colour = ROLE_COLOURS[face.role]
    canvas.setFillColorRGB(0.2, 0.2, 0.2)
    title, size = _fitted(event.name, 11, 8, bold=True)
    y = BADGE_HEIGHT - SAFE - size
    for line in title:
        draw_text(canvas, BADGE_WIDTH / 2, y, line, size, bold=True, centred=True)
        y -= size * 1.2
    draw_text(
        canvas, BADGE_WIDTH / 2, y, date_range(event.starts_on, event.ends_on), 9.5, centred=True
    )
    y -= 3.5 * mm
    canvas.setStrokeColorRGB(*colour)
    canvas.setLineWidth(1.5)
    canvas.line(SAFE, y, BADGE_WIDTH - SAFE, y)

    # The name, in the middle of the room between the rule and the QR code.
    canvas.setFillColorRGB(0, 0, 0)
    lines, size = name_lines(face.name)
    room_top, room_bottom = y - 2 * mm, BAND_TOP + 1 * mm + QR_SIZE
    height = size * (1.12 * (len(lines) - 1) + 1)
    y = (room_top + room_bottom + height) / 2 - size * 0.85
    for line in lines:
        draw_text(canvas, BADGE_WIDTH / 2, y, line, size, bold=True, centred=True)
        y -= size * 1.12

    qr_x = BADGE_WIDTH - SAFE - QR_SIZE
    _qr_code(canvas, face.token, qr_x, BAND_TOP + 1 * mm)
    beside = qr_x - SAFE - 2 * mm  # organisation and country, left of the QR code
    canvas.setFillColorRGB(0.15, 0.15, 0.15)
    y = BAND_TOP + 1 * mm + QR_SIZE / 2 + 2 * mm
    if face.organisation:
        organisation, size = _fitted(face.organisation, 15, 10, width=beside)
        y += (len(organisation) - 1) * size * 1.2
        for line in organisation:
            draw_text(canvas, SAFE, y, line, size)
            y -= size * 1.2
    if face.country:
        draw_text(canvas, SAFE, y - 2, face.country, 14, bold=True)

    canvas.setFillColorRGB(*colour)
    canvas.rect(SAFE, SAFE, INNER, BAND_TOP - SAFE, stroke=0, fill=1)
    canvas.setFillColorRGB(1, 1, 1)
    draw_text(
        canvas,
        BADGE_WIDTH / 2,
        SAFE + (BAND_TOP - SAFE) / 2 - 10,
        face.role.upper(),
        30,
        bold=True,
        centred=True,
    )


def badges_pdf(event: Event, faces: Sequence[BadgeFace], layout: Layout) -> bytes:
    """The badges, in the order given: a page each (A6), or four a sheet (A4)."""
    buffer = io.BytesIO()
    canvas = Canvas(
        buffer,
        pagesize=(BADGE_WIDTH, BADGE_HEIGHT) if layout is Layout.A6 else SHEET,
        invariant=True,
    )
    canvas.setTitle(f"Badges · {event.short_name}")
    per_page = 1 if layout is Layout.A6 else 4
    slots = [Slot(0, 0)] if layout is Layout.A6 else sheet_slots()
    for start in range(0, len(faces), per_page):
        for slot, face in zip(slots, faces[start : start + per_page], strict=False):
            canvas.saveState()
            canvas.translate(slot.x, slot.y)
            draw_badge(canvas, event, face)
            canvas.restoreState()
        if layout is Layout.A4:
            canvas.setStrokeColorRGB(0, 0, 0)
            canvas.setLineWidth(0.3)
            for x1, y1, x2, y2 in crop_marks():
                canvas.line(x1, y1, x2, y2)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


# --- downloads --------------------------------------------------------------------------------


@dataclass(frozen=True)
class BadgeFile:
    content: bytes
    filename: str


def _file(event: Event, issued: list[Badge], layout: Layout, name: str) -> BadgeFile:
    content = badges_pdf(event, [BadgeFace.of(b) for b in issued], layout)
    return BadgeFile(content, f"{event.slug}-{name}-{layout}.pdf")


def own_badge(registration: Registration, *, actor: User) -> BadgeFile:
    """The delegate's own badge, A6, once approved (issued now if it was not yet)."""
    badge = badges.badge_of(registration, actor=actor)
    return _file(registration.event, [badge], Layout.A6, f"badge-{registration.reference}")


def registration_badge(registration: Registration, *, actor: User, layout: Layout) -> BadgeFile:
    """One registration's badge for the organisers to print; approved registrations only.
    Audited: printing a badge lets someone in."""
    badge = badges.badge_of(registration, actor=actor)
    log_action(
        "badge.downloaded", registration, actor=actor, event_id=registration.event_id, layout=layout
    )
    return _file(registration.event, [badge], layout, f"badge-{registration.reference}")


def _approved_query(event: Event, filters: RegistrationFilter) -> sa.Select:
    return registrations_query(event, filters, "name").where(Registration.status == Status.APPROVED)


def approved_count(event: Event, filters: RegistrationFilter) -> int:
    """How many registrations the filter matches that have a badge: the approved ones."""
    query = _approved_query(event, filters).order_by(None)
    return db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))


def badges_for(
    event: Event, filters: RegistrationFilter, *, actor: User, layout: Layout
) -> BadgeFile:
    """The badges of the approved registrations the filter matches (every approved one when it
    filters nothing), by name, issuing those not issued yet. Audited with the filter and the
    count, since the file holds the names of everyone in it."""
    registrations = list(db.session.scalars(_approved_query(event, filters)))
    if not registrations:
        raise BadgeNotAvailable(
            "No approved registration matches this list: there is no badge to print."
        )
    issued = badges.badges_of(registrations, actor=actor)
    log_action(
        "badges.downloaded",
        event,
        actor=actor,
        event_id=event.id,
        layout=layout,
        filters=filters.as_args(),
        rows=len(issued),
    )
    return _file(event, issued, layout, "badges")
