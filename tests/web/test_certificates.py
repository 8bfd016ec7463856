"""Certificates of attendance through the pages: the delegate's download, the organisers' bulk."""

import io

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from conference.extensions import db
from conference.models import AuditEntry
from tests.client import csrf_token
from tests.factories import approved, next_november
from tests.on_site_helpers import FIRST_DAY, check_in

CERTIFICATE = "/vgt-2014/registration/certificate.pdf"
ON_SITE = "/vgt-2014/organiser/on-site"


@pytest.fixture
def app_settings():
    return {"WTF_CSRF_ENABLED": True}


def text_of(response) -> list[str]:
    pages = PdfReader(io.BytesIO(response.get_data())).pages
    return [" ".join(page.extract_text().split()) for page in pages]


@pytest.fixture
def came(event):
    anna = approved(event, "anna@police.example")
    check_in(anna, FIRST_DAY)
    db.session.commit()
    return anna


def test_a_delegate_who_was_checked_in_downloads_the_certificate(client, auth, came):
    auth.login("anna@police.example")
    page = client.get("/vgt-2014/registration").text
    assert f'href="{CERTIFICATE}"' in page and "Download certificate (PDF)" in page

    response = client.get(CERTIFICATE)

    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert f"certificate-{came.reference}.pdf" in response.headers["Content-Disposition"]
    [text] = text_of(response)
    assert "Certificate of attendance" in text and "Wednesday 5 November 2014" in text


def test_a_delegate_who_never_came_gets_no_certificate(client, auth, event):
    approved(event, "never@police.example")
    db.session.commit()
    auth.login("never@police.example")
    assert "Download certificate" not in client.get("/vgt-2014/registration").text

    response = client.get(CERTIFICATE)

    assert response.status_code == 409
    assert "the desk has no check-in of yours" in response.text
    assert "Your registration" in response.text  # the page they came from, with the reason


def test_no_certificate_before_the_event_is_over(client, auth, event, came):
    dates = next_november()
    event.starts_on, event.ends_on = dates["starts_on"], dates["ends_on"]
    check_in(came, dates["starts_on"])
    db.session.commit()
    auth.login("anna@police.example")
    assert "Download certificate" not in client.get("/vgt-2014/registration").text
    response = client.get(CERTIFICATE)
    assert response.status_code == 409
    assert "Certificates of attendance are ready once VGT 2014 is over" in response.text


def test_the_organisers_download_every_certificate_with_the_token(client, auth, organiser, came):
    ben = approved(came.event, "ben@police.example")
    check_in(ben, FIRST_DAY)
    db.session.commit()
    auth.login(organiser.email)
    page = client.get(ON_SITE).text
    assert "Download every certificate (PDF)" in page
    url = ON_SITE + "/certificates"

    assert client.post(url).status_code == 400  # no token
    response = client.post(url, data={"csrf_token": csrf_token(page)})

    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert [("anna" in p, "ben" in p) for p in text_of(response)] == [(True, False), (False, True)]
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action == "certificates.downloaded")
        )
        == 1
    )


def test_before_the_end_the_on_site_page_says_when_certificates_come(
    client, auth, event, organiser
):
    dates = next_november()
    event.starts_on, event.ends_on = dates["starts_on"], dates["ends_on"]
    db.session.commit()
    auth.login(organiser.email)
    page = client.get(ON_SITE).text
    assert "Download every certificate" not in page
    assert "Ready once VGT 2014 is over" in page
    response = client.post(ON_SITE + "/certificates", data={"csrf_token": csrf_token(page)})
    assert response.status_code == 409
    assert "Certificates of attendance are ready once VGT 2014 is over" in response.text
