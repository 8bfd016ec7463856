"""Certificates of attendance: for the delegates checked in, once the event is over."""

import io
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from conference.extensions import db
from conference.models import AuditEntry
from conference.services.on_site import certificates
from conference.services.on_site.certificates import CertificateNotAvailable
from tests.factories import approved, make_organiser, workshop
from tests.on_site_helpers import FIRST_DAY, SECOND_DAY, came_to, check_in

AFTER = datetime(2014, 11, 7, 9, tzinfo=UTC)
DURING = datetime(2014, 11, 6, 12, tzinfo=UTC)


def text_of(pdf: bytes) -> list[str]:
    """Each page's text, its lines joined: a sentence reads the same wherever it wraps."""
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages]


@pytest.fixture
def anna(app, event):
    anna = approved(event, "anna@police.example")
    anna.user.name = "Anna de Vries"
    check_in(anna, FIRST_DAY)
    check_in(anna, SECOND_DAY)
    streaming = workshop(event, "Tracing live streaming", capacity=20, day=5, start=(13, 30))
    victims = workshop(
        event, "Victim identification lab", capacity=20, day=6, start=(10, 0), end=(12, 15)
    )
    came_to(anna, victims)
    came_to(anna, streaming)
    event.letter_signatory_name = "Ruud Bik"
    event.letter_signatory_title = "Deputy Chief of Police"
    db.session.flush()
    return anna


def test_the_certificate_says_the_event_the_delegate_days_and_workshops(anna):
    [page] = text_of(certificates.certificate_pdf(anna, now=AFTER))
    for said in [
        "Certificate of attendance",
        "Anna de Vries",
        "Federal Police Cybercrime Unit",
        "Virtual Global Taskforce International Conference 2014",
        "in Amsterdam, 5 and 6 November 2014",
        "Wednesday 5 November 2014",
        "Thursday 6 November 2014",
        "Tracing live streaming",
        "5 Nov 2014, 13:30–15:00 CET · 1 hour 30 minutes",
        "Victim identification lab",
        "6 Nov 2014, 10:00–12:15 CET · 2 hours 15 minutes",
        f"Reference {anna.reference}",
        "Ruud Bik",
        "Issued on 7 November 2014",
    ]:
        assert said in page, said
    assert page.index("Tracing live streaming") < page.index("Victim identification lab")


def test_a_name_in_arabic_script_is_drawn_in_a_face_that_has_it(anna):
    anna.user.name = "ليلى حداد"
    [page] = PdfReader(io.BytesIO(certificates.certificate_pdf(anna, now=AFTER))).pages
    faces = [font.get_object()["/BaseFont"] for font in page["/Resources"]["/Font"].values()]
    assert any("NotoSansArabic" in face for face in faces), faces


def test_no_certificate_before_the_events_last_day_has_passed(anna):
    assert not certificates.certificate_available(anna, now=DURING)
    with pytest.raises(CertificateNotAvailable, match="ready once VGT 2014 is over"):
        certificates.certificate_pdf(anna, now=DURING)


def test_no_certificate_for_a_delegate_who_never_checked_in(app, event):
    never = approved(event, "never@police.example")
    assert not certificates.certificate_available(never, now=AFTER)
    with pytest.raises(CertificateNotAvailable, match="no check-in of yours"):
        certificates.certificate_pdf(never, now=AFTER)


def test_the_organisers_get_every_certificate_in_one_pdf_a_page_each(anna, event):
    ben = approved(event, "ben@police.example")
    check_in(ben, SECOND_DAY)
    approved(event, "never@police.example")
    organiser = make_organiser(event)

    pages = text_of(certificates.all_certificates_pdf(event, actor=organiser, now=AFTER))

    assert len(pages) == 2
    assert "Anna de Vries" in pages[0] and "ben" in pages[1]
    assert "Thursday 6 November 2014" in pages[1] and "Wednesday" not in pages[1]
    assert "None recorded at a workshop door." in pages[1]
    entry = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "certificates.downloaded")
    ).one()
    assert entry.details["rows"] == 2


def test_the_bulk_download_waits_for_the_end_of_the_event(anna, event):
    with pytest.raises(CertificateNotAvailable):
        certificates.all_certificates_pdf(event, actor=make_organiser(event), now=DURING)
