"""Printed badges: what they say, the QR code the desk reads back, the sheets and their crop
marks, and names in every script our delegates write them in."""

import io
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
import zxingcpp
from PIL import Image
from pypdf import PdfReader
from pypdf.generic import ContentStream
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics

from conference.countries import country_name
from conference.extensions import db
from conference.models import AuditEntry, Badge, BadgeRole
from conference.services.on_site import badge_pdf, badges, check_in
from conference.services.on_site.badge_pdf import (
    BADGE_HEIGHT,
    BADGE_WIDTH,
    INNER,
    NAME_READABLE,
    SHEET,
    BadgeFace,
    Layout,
)
from conference.services.on_site.badges import BadgeNotAvailable
from conference.services.on_site.pdf_text import font_for, for_display
from conference.services.registration.listing import RegistrationFilter
from tests.factories import approved, make_organiser, register

SPANISH = "María del Carmen Fernández-Castañeda y Rodríguez de la Serna"
ARABIC = "عبد الرحمن بن عبد العزيز الهاشمي"
THAI = "สมชาย ศรีสวัสดิ์วงศ์"
DPI = 200


def pictures(pdf: bytes, tmp_path) -> list[Image.Image]:
    """Each page as the printer would see it, rasterised by poppler."""
    source = tmp_path / "badges.pdf"
    source.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", str(DPI), "-png", str(source), str(tmp_path / "page")], check=True
    )
    return [Image.open(page) for page in sorted(tmp_path.glob("page-*.png"))]


def qr_codes(picture: Image.Image) -> list[str]:
    return [code.text for code in zxingcpp.read_barcodes(picture)]


def text_of(pdf: bytes) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages]


def page_size(pdf: bytes) -> tuple[int, int]:
    box = PdfReader(io.BytesIO(pdf)).pages[0].mediabox
    return round(float(box.width)), round(float(box.height))


def pixels(points: float) -> int:
    return round(points / 72 * DPI)


@pytest.fixture
def organiser(event):
    return make_organiser(event, "olga@politie.example")


def named(event, email: str, name: str):
    registration = approved(event, email)
    registration.user.name = name
    db.session.flush()
    return registration


def test_the_qr_code_on_a_badge_leads_the_desk_to_that_badge(app, event, tmp_path):
    anna = named(event, "anna@police.example", "Anna de Vries")
    printed = badge_pdf.own_badge(anna, actor=anna.user)

    [page] = pictures(printed.content, tmp_path)
    [token] = qr_codes(page)

    found = badges.badge_with_token(token)
    assert found is not None and found.is_valid and found.registration_id == anna.id
    assert token == badges.token_of(found)
    for secret in (str(anna.id), anna.reference, anna.user.email.upper()):
        assert secret not in token
    assert page_size(printed.content) == (round(BADGE_WIDTH), round(BADGE_HEIGHT))  # A6
    # The desk, given what the camera read, lets Anna in.
    staff = make_organiser(event, "desk@politie.example", role="check_in")
    on_the_first_day = datetime(2014, 11, 5, 8, 0, tzinfo=UTC)
    door = check_in.Door("Main entrance")
    answer = check_in.scan(event, token, actor=staff, door=door, now=on_the_first_day)
    assert answer.outcome == check_in.Outcome.CHECKED_IN and answer.person.name == "Anna de Vries"


def test_a_badge_says_who_from_where_and_what_they_are_at_the_conference(app, event):
    anna = named(event, "anna@police.example", "Anna de Vries")

    [text] = text_of(badge_pdf.own_badge(anna, actor=anna.user).content)

    assert "Anna de Vries" in text
    assert anna.organisation_name in text
    assert country_name(anna.country) in text and anna.country not in text.split()
    assert "DELEGATE" in text
    assert event.name in text and "5 and 6 November 2014" in text


def test_each_role_has_its_own_colour_on_the_band(app, event, tmp_path):
    assert set(badge_pdf.ROLE_COLOURS) == set(BadgeRole)
    assert len(set(badge_pdf.ROLE_COLOURS.values())) == len(BadgeRole)
    faces = [BadgeFace("Sam Speaker", "", "", role, "TOKEN") for role in BadgeRole]

    pages = pictures(badge_pdf.badges_pdf(event, faces, Layout.A6), tmp_path)

    for role, page in zip(BadgeRole, pages, strict=True):
        # In the band, left of its word: the role's own colour.
        red, green, blue = page.convert("RGB").getpixel((pixels(30), page.height - pixels(30)))
        wanted = [round(c * 255) for c in badge_pdf.ROLE_COLOURS[role]]
        assert [abs(a - b) <= 3 for a, b in zip((red, green, blue), wanted, strict=True)] == [
            True
        ] * 3, role


@dataclass
class Drawn:
    """What the first page of a PDF draws, read from its operations: where each badge was
    moved to (its lower left corner), and the x of each vertical line, the y of each
    horizontal one."""

    origins: list[tuple[float, float]]
    vertical: set[float]
    horizontal: set[float]


def drawn(pdf: bytes) -> Drawn:
    """Lines drawn inside a badge (moved to its place) are the badge's own, not marks."""
    reader = PdfReader(io.BytesIO(pdf))
    found, start, moved, saved = Drawn([], set(), set()), None, False, []
    for operands, operator in ContentStream(reader.pages[0].get_contents(), reader).operations:
        values = [round(float(v), 1) for v in operands] if operator in (b"cm", b"m", b"l") else []
        if operator == b"q":
            saved.append(moved)
        elif operator == b"Q":
            moved = saved.pop()
        elif operator == b"cm" and values[4:] != [0, 0]:
            found.origins.append((values[4], values[5]))
            moved = True
        elif operator == b"m":
            start = values
        elif operator == b"l" and start and not moved:
            if start[0] == values[0]:
                found.vertical.add(values[0])
            elif start[1] == values[1]:
                found.horizontal.add(values[1])
    return found


def cuts(marks: set[float], length: float) -> list[float]:
    """Where to cut along one side of the sheet: at each mark, and at the sheet's edge where
    no mark stands within 2 mm of it."""
    near_edge = 2 * mm
    lines = sorted(marks)
    if lines[0] > near_edge:
        lines.insert(0, 0.0)
    if lines[-1] < length - near_edge:
        lines.append(length)
    return lines


def all_on(positions, lines) -> bool:
    """Each position on one of the lines, to a tenth of a point (the PDF's own rounding)."""
    return all(any(abs(p - line) < 0.15 for line in lines) for p in positions)


def test_a_sheet_holds_four_badges_each_cut_out_where_its_crop_marks_say(app, event, tmp_path):
    names = ["Bea Bakker", "Ahmed Ali", "Dirk Dekker", "Carla Cruz", "Eva Eng"]
    people = [named(event, f"p{n}@police.example", name) for n, name in enumerate(names)]
    organiser = make_organiser(event, "olga@politie.example")

    sheet = badge_pdf.badges_for(event, RegistrationFilter(), actor=organiser, layout=Layout.A4)

    first, second = pictures(sheet.content, tmp_path)
    assert page_size(sheet.content) == (round(SHEET[0]), round(SHEET[1]))  # A4, landscape
    marks = drawn(sheet.content)
    across, down = cuts(marks.vertical, SHEET[0]), cuts(marks.horizontal, SHEET[1])
    assert len(across) == len(down) == 3
    # Cut where the marks say: each piece holds one whole badge, by name from the top left.
    pieces = [
        first.crop((pixels(left), pixels(SHEET[1] - top), pixels(right), pixels(SHEET[1] - bottom)))
        for bottom, top in reversed(list(zip(down, down[1:], strict=False)))
        for left, right in zip(across, across[1:], strict=False)
    ]
    by_name = sorted(people, key=lambda r: r.user.name)
    for piece, registration in zip(pieces, by_name[:4], strict=True):
        [token] = qr_codes(piece)
        assert badges.badge_with_token(token).registration_id == registration.id
    [token] = qr_codes(second)  # the fifth, alone on the second sheet
    assert badges.badge_with_token(token).registration_id == by_name[4].id


def test_the_crop_marks_lie_on_the_edges_of_the_badges_drawn(app, event):
    faces = [BadgeFace(f"Person {n}", "", "", BadgeRole.DELEGATE, "TOKEN") for n in range(4)]

    sheet = drawn(badge_pdf.badges_pdf(event, faces, Layout.A4))

    assert len(sheet.origins) == 4
    edges_x = {e for x, _ in sheet.origins for e in (x, x + BADGE_WIDTH)}
    edges_y = {e for _, y in sheet.origins for e in (y, y + BADGE_HEIGHT)}
    # Every edge of every badge is marked, or is the sheet's own edge...
    assert all_on(edges_x, sheet.vertical | {0, SHEET[0]})
    assert all_on(edges_y, sheet.horizontal | {0, SHEET[1]})
    # ...and every mark is on some badge's edge.
    assert all_on(sheet.vertical, edges_x) and all_on(sheet.horizontal, edges_y)
    # The badges do not overlap: two across, two down.
    assert len({x for x, _ in sheet.origins}) == len({y for _, y in sheet.origins}) == 2


@pytest.mark.parametrize("name", [SPANISH, ARABIC, THAI])
def test_long_and_non_latin_names_fit_and_stay_readable(app, name):
    font = font_for(name, bold=True)
    lines, size = badge_pdf.name_lines(name)

    assert size >= NAME_READABLE
    assert len(lines) <= 2
    for line in lines:
        assert pdfmetrics.stringWidth(for_display(line), font, size) <= INNER
    # Every letter has a glyph in the face it is drawn in: no empty boxes.
    face = pdfmetrics.getFont(font).face
    for character in for_display("".join(lines)).replace(" ", ""):
        assert ord(character) in face.charToGlyph, (name, character)


def test_a_sixty_letter_double_surname_wraps_to_two_lines(app):
    assert len(SPANISH) == 60

    lines, size = badge_pdf.name_lines(SPANISH)

    assert lines == ["María del Carmen Fernández-", "Castañeda y Rodríguez de la Serna"]
    assert size >= NAME_READABLE


@pytest.mark.parametrize("name", [SPANISH, THAI])
def test_the_name_on_the_page_is_the_name_given(app, event, name):
    anna = named(event, "anna@police.example", name)

    [text] = text_of(badge_pdf.own_badge(anna, actor=anna.user).content)

    assert name.replace(" ", "") in text.replace(" ", "")


def test_a_list_gets_the_badges_of_its_approved_registrations_only(app, event, organiser):
    anna = approved(event, "anna@police.example")
    register(event, "pending@police.example")
    filters = RegistrationFilter(q="police.example")

    assert badge_pdf.approved_count(event, filters) == 1
    sheet = badge_pdf.badges_for(event, filters, actor=organiser, layout=Layout.A6)

    assert len(PdfReader(io.BytesIO(sheet.content)).pages) == 1
    assert db.session.scalars(sa.select(Badge.registration_id)).all() == [anna.id]
    [entry] = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "badges.downloaded")
    )
    assert entry.actor_id == organiser.id
    assert entry.details == {"layout": "a6", "filters": {"q": "police.example"}, "rows": 1}


def test_a_list_with_no_approved_registration_has_no_badges(app, event, organiser):
    register(event, "pending@police.example")

    with pytest.raises(BadgeNotAvailable, match="No approved registration"):
        badge_pdf.badges_for(
            event, RegistrationFilter(status="pending"), actor=organiser, layout=Layout.A4
        )


def test_a_reissued_badge_prints_a_new_code_and_the_old_one_is_refused(
    app, event, organiser, tmp_path
):
    anna = approved(event, "anna@police.example")
    (tmp_path / "old").mkdir()
    (tmp_path / "new").mkdir()
    [old_page] = pictures(badge_pdf.own_badge(anna, actor=anna.user).content, tmp_path / "old")
    badges.reissue_badge(anna, actor=organiser, reason="Lost", role=BadgeRole.PRESS)

    printed = badge_pdf.registration_badge(anna, actor=organiser, layout=Layout.A6)

    [old] = qr_codes(old_page)
    [new] = qr_codes(pictures(printed.content, tmp_path / "new")[0])
    assert not badges.badge_with_token(old).is_valid
    assert badges.badge_with_token(new).is_valid and badges.badge_with_token(new).role == "press"
    assert "PRESS" in text_of(printed.content)[0]
