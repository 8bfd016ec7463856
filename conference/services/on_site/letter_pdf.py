"""The visa invitation letter drawn as one A4 page on the host's letterhead.

What it says comes from `visa_letters` (the rules) and the event's letter settings; this module
only lays it out.
"""

import io
from dataclasses import dataclass
from datetime import date

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen.canvas import Canvas

from conference.countries import country_name
from conference.local_time import date_range
from conference.models import Event, VisaLetter
from conference.services.on_site.pdf_text import draw_text, draw_wrapped, font_for

WIDTH, HEIGHT = A4
MARGIN = 24 * mm
INNER = WIDTH - 2 * MARGIN
NAVY = (0.08, 0.2, 0.36)
GREY = (0.3, 0.3, 0.3)
BODY = 10.5  # the body text's size
BOX_TOP = 38 * mm  # the verification code's box, at the foot of every page


@dataclass(frozen=True)
class PrintedLetter:
    """A letter with what is printed on it but not stored: its code and where to check it."""

    letter: VisaLetter
    code: str
    verify_url: str
    dated: date


def _letterhead(canvas: Canvas, event: Event) -> float:
    lines = [line.strip() for line in event.letter_letterhead.splitlines() if line.strip()]
    if not lines and event.host:
        lines = [event.host.name]
    y = HEIGHT - 22 * mm
    for number, line in enumerate(lines):
        canvas.setFillColorRGB(*(NAVY if number == 0 else GREY))
        draw_text(canvas, MARGIN, y, line, 14 if number == 0 else 9, bold=number == 0)
        y -= 7 * mm if number == 0 else 4.5 * mm
    canvas.setFillColorRGB(0, 0, 0)
    canvas.setStrokeColorRGB(*NAVY)
    canvas.setLineWidth(1.2)
    canvas.line(MARGIN, y, WIDTH - MARGIN, y)
    return y - 10 * mm


def _fact(canvas: Canvas, y: float, label: str, value: str) -> float:
    draw_text(canvas, MARGIN + 4 * mm, y, label, 10)
    return draw_wrapped(canvas, MARGIN + 52 * mm, y, value, 10, INNER - 56 * mm, bold=True)


def _section(canvas: Canvas, y: float, heading: str, text: str, printed: PrintedLetter) -> float:
    """A heading and its paragraphs, line by line, going on to a new page (with the code box
    again) when the page is full: the organisers' wording may be long."""
    y = _room_for(canvas, y, 2, printed)
    draw_text(canvas, MARGIN, y, heading, 11, bold=True)
    y -= 5.5 * mm
    for paragraph in text.split("\n\n"):
        paragraph = " ".join(paragraph.split())
        for line in simpleSplit(paragraph, font_for(paragraph), BODY, INNER):
            y = _room_for(canvas, y, 1, printed)
            draw_text(canvas, MARGIN, y, line, BODY)
            y -= BODY * 1.35
        y -= 2 * mm
    return y - 3 * mm


def _room_for(canvas: Canvas, y: float, lines: int, printed: PrintedLetter) -> float:
    """`y`, or the top of a new page when `lines` more lines would run into the code box."""
    if y - lines * BODY * 1.35 > BOX_TOP + 6 * mm:
        return y
    canvas.showPage()
    _verification_box(canvas, printed)
    draw_text(
        canvas, MARGIN, HEIGHT - 18 * mm, f"Reference {printed.letter.reference}, continued", 9
    )
    return HEIGHT - 30 * mm


def letter_pdf(printed: PrintedLetter) -> bytes:
    """The letter as a PDF: letterhead, date and reference, the invitation, the delegate's
    passport details and organisation, the purpose and the costs, the signatory, and the code
    with the address where an embassy checks it."""
    letter = printed.letter
    registration = letter.registration
    event = registration.event
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4)
    canvas.setTitle(f"Invitation letter {letter.reference} · {event.short_name}")
    _verification_box(canvas, printed)
    y = _letterhead(canvas, event)
    place = f"{event.city}, " if event.city else ""
    draw_text(canvas, MARGIN, y, f"{place}{printed.dated:%-d %B %Y}", BODY)
    draw_text(canvas, WIDTH - MARGIN - 62 * mm, y, f"Reference {letter.reference}", BODY)
    y -= 12 * mm
    draw_text(canvas, MARGIN, y, "To whom it may concern", BODY)
    y -= 9 * mm
    y = draw_wrapped(canvas, MARGIN, y, f"Invitation to {event.name}", 13, INNER, bold=True)
    y -= 3 * mm
    host = event.host.name if event.host else "The organisers"
    where = ", ".join(
        part for part in (event.venue, event.city if event.city not in event.venue else "") if part
    )
    y = draw_wrapped(
        canvas,
        MARGIN,
        y,
        f"{host} invites the person named below to attend {event.name}"
        + (f", held at {where}" if where else "")
        + f", {date_range(event.starts_on, event.ends_on)}. The delegate's registration has "
        "been vetted and approved by the organisers.",
        BODY,
        INNER,
    )
    y -= 5 * mm
    facts = [
        ("Name as in the passport", letter.passport_name),
        ("Nationality", country_name(letter.nationality)),
        ("Passport number", letter.passport_number),
        ("Date of birth", f"{letter.date_of_birth:%-d %B %Y}"),
        ("Organisation", registration.organisation_name),
        ("Job title", registration.job_title),
    ]
    for label, value in facts:
        if value:
            y = _fact(canvas, y, label, value) - 1.5 * mm
    y -= 5 * mm
    y = _section(canvas, y, "Purpose of the visit", event.letter_purpose, printed)
    y = _section(canvas, y, "Costs", event.letter_costs, printed)
    y = _room_for(canvas, y, 6, printed)  # the signature stays in one piece
    draw_text(canvas, MARGIN, y, "Yours faithfully,", BODY)
    y -= 16 * mm
    draw_text(canvas, MARGIN, y, event.letter_signatory_name, 11, bold=True)
    y -= 5 * mm
    draw_wrapped(canvas, MARGIN, y, event.letter_signatory_title, 10, INNER)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _verification_box(canvas: Canvas, printed: PrintedLetter) -> None:
    top, height = BOX_TOP, 22 * mm
    canvas.setStrokeColorRGB(*NAVY)
    canvas.setLineWidth(0.8)
    canvas.rect(MARGIN, top - height, INNER, height)
    x = MARGIN + 5 * mm
    draw_text(canvas, x, top - 7 * mm, "Verification code", 9)
    draw_text(canvas, x, top - 14 * mm, printed.code, 15, bold=True)
    right = MARGIN + 75 * mm
    draw_wrapped(
        canvas,
        right,
        top - 7 * mm,
        "Embassies and consulates can check that this letter is genuine and still valid by "
        f"entering the code at {printed.verify_url}",
        8.5,
        INNER - 80 * mm,
    )
