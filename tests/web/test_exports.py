"""The exports page and its downloads, through the test client."""

import csv
import io
import re

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from conference.extensions import db
from conference.models import AuditEntry
from conference.services.registration import workflow
from tests.client import assert_redirects
from tests.factories import current_code, make_organiser, register

PAGE = "/vgt-2014/organiser/exports"


@pytest.fixture
def delegates(event, organiser):
    approved = register(event, "approved@police.example", dietary_needs="Halal")
    workflow.approve_registration(approved, actor=organiser)
    pending = register(event, "pending@police.example", job_title="-1+1")
    db.session.commit()
    return approved, pending


def download(client, url, **kwargs):
    """A download, read to its end inside its own request, as a browser does."""
    return client.post(url, buffered=True, **kwargs)


def rows_of(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).removeprefix("\ufeff"))))


def test_the_exports_page_offers_the_three_lists(client, auth, organiser):
    auth.login(organiser.email)
    page = client.get(PAGE).text
    for shown in ["Participant list", "Catering summary", "Security list", "Download XLSX"]:
        assert shown in page
    assert 'action="/vgt-2014/organiser/exports/participants"' in page
    # The usual columns come ticked; none is `required`, which would demand every one.
    assert re.search(
        r'<input checked class="form-check-input" id="columns-0" name="columns" '
        r'type="checkbox" value="reference">',
        page,
    )
    assert 'value="accessibility_needs">' in page  # and the others do not


def test_the_exports_page_carries_the_lists_filter(client, auth, organiser):
    auth.login(organiser.email)
    page = client.get(PAGE, query_string={"status": "approved", "country": "NL"}).text
    action = re.search(r'action="(/vgt-2014/organiser/exports/participants[^"]*)"', page)[1]
    assert "status=approved" in action and "country=NL" in action
    assert "Export every registration instead" in page


def test_a_bad_filter_is_a_400(client, auth, organiser):
    auth.login(organiser.email)
    assert client.get(PAGE, query_string={"status": "bogus"}).status_code == 400
    assert client.get(PAGE, query_string={"tag": "abc"}).status_code == 400


def test_the_participant_list_downloads_as_csv_for_the_filter(client, auth, organiser, delegates):
    auth.login(organiser.email)
    response = download(
        client,
        f"{PAGE}/participants?status=pending",
        data={"columns": ["name", "email", "job_title"], "format": "csv"},
    )
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert re.fullmatch(
        r'attachment; filename="vgt-2014-participants-\d{4}-\d{2}-\d{2}\.csv"',
        response.headers["Content-Disposition"],
    )
    assert rows_of(response) == [
        ["Name", "Email", "Job title"],
        ["pending", "pending@police.example", "'-1+1"],
    ]
    entry = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "export.participants")
    ).one()
    assert entry.actor_id == organiser.id
    assert entry.details["rows"] == 1 and entry.details["filters"] == {"status": "pending"}


def test_the_participant_list_downloads_as_xlsx(client, auth, organiser, delegates):
    auth.login(organiser.email)
    response = download(
        client, f"{PAGE}/participants", data={"columns": ["email", "status"], "format": "xlsx"}
    )
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith(
        "attachment; filename=vgt-2014-participants-"
    )
    assert response.headers["Content-Disposition"].endswith(".xlsx")
    sheet = load_workbook(io.BytesIO(response.data), read_only=True).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == ["Email", "Status"]
    assert sorted(rows[1:]) == [
        ["approved@police.example", "Approved"],
        ["pending@police.example", "Pending"],
    ]


def test_an_export_without_columns_says_so(client, auth, organiser):
    auth.login(organiser.email)
    assert download(client, f"{PAGE}/participants").status_code == 400  # nothing sent
    response = download(client, f"{PAGE}/participants", data={"format": "csv"})
    assert response.status_code == 400
    assert "Choose at least one column." in response.text
    unknown = download(
        client, f"{PAGE}/participants", data={"columns": ["password"], "format": "csv"}
    )
    assert unknown.status_code == 400
    assert (
        db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action.like("export.%"))).all()
        == []
    )


def test_the_catering_summary_downloads(client, auth, organiser, delegates):
    auth.login(organiser.email)
    response = download(client, f"{PAGE}/catering", data={"format": "csv"})
    assert "vgt-2014-catering-" in response.headers["Content-Disposition"]
    assert rows_of(response)[1] == ["Wednesday 5 November 2014", "Halal", "1"]
    xlsx = download(client, f"{PAGE}/catering", data={"format": "xlsx"})
    assert xlsx.mimetype.endswith("spreadsheetml.sheet")


def test_the_security_list_downloads(client, auth, organiser, delegates):
    approved, _ = delegates
    auth.login(organiser.email)
    response = download(client, f"{PAGE}/security", data={"format": "csv"})
    assert rows_of(response) == [
        ["Name", "Organisation", "Country", "Accessibility needs", "Reference"],
        ["approved", "Federal Police Cybercrime Unit", "Belgium", "", approved.reference],
    ]


def test_a_bad_format_is_a_400(client, auth, organiser):
    auth.login(organiser.email)
    assert download(client, f"{PAGE}/security", data={"format": "pdf"}).status_code == 400
    assert download(client, f"{PAGE}/catering", data={"format": "pdf"}).status_code == 400
    assert download(client, f"{PAGE}/security", data={}).status_code == 400


def test_a_viewer_may_export_but_a_delegate_may_not(client, auth, event, delegates):
    make_organiser(event, "viewer@politie.example", role="viewer")
    db.session.commit()
    auth.login("viewer@politie.example")
    assert download(client, f"{PAGE}/security", data={"format": "csv"}).status_code == 200
    auth.logout()
    auth.login("approved@police.example")
    assert download(client, f"{PAGE}/security", data={"format": "csv"}).status_code == 403
    assert client.get(PAGE).status_code == 403


class TestWithCsrf:
    @pytest.fixture
    def app_settings(self):
        return {"WTF_CSRF_ENABLED": True}

    def test_a_download_needs_the_pages_csrf_token(self, client, organiser):

        # Log in by hand: the forms need their tokens too.
        def token(path):
            return re.search(
                r'name="csrf_token" type="hidden" value="([^"]+)"', client.get(path).text
            )[1]

        login = client.post(
            "/account/login",
            data={
                "email": organiser.email,
                "password": "correct horse battery staple",
                "csrf_token": token("/account/login"),
            },
        )
        assert_redirects(login, to="/account/login/code")
        client.post(
            "/account/login/code",
            data={"code": current_code(), "csrf_token": token("/account/login/code")},
        )
        assert download(client, f"{PAGE}/security", data={"format": "csv"}).status_code == 400
        page_token = token(PAGE)
        ok = download(client, f"{PAGE}/security", data={"format": "csv", "csrf_token": page_token})
        assert ok.status_code == 200


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_every_export_tells_caches_to_keep_no_copy(client, auth, organiser, delegates, file_format):
    """Exports carry personal data: no browser or proxy cache may keep them (no-store), which
    no-cache, send_file's default, does not say."""
    auth.login(organiser.email)
    downloads = {
        "participants": {"columns": USUAL_COLUMNS_AND_NEEDS},
        "catering": {},
        "security": {},
    }
    for name, data in downloads.items():
        response = download(client, f"{PAGE}/{name}", data={**data, "format": file_format})
        assert response.status_code == 200, name
        assert response.headers["Cache-Control"] == "no-store", name
    not_arrived = download(
        client,
        "/vgt-2014/organiser/on-site/not-arrived",
        data={"day": "2014-11-05", "format": file_format},
    )
    assert not_arrived.status_code == 200
    assert not_arrived.headers["Cache-Control"] == "no-store"
    counts = client.get("/vgt-2014/organiser/on-site/counts.json")
    assert counts.is_json and counts.headers["Cache-Control"] == "no-store"


USUAL_COLUMNS_AND_NEEDS = ["reference", "name", "email", "dietary_needs", "accessibility_needs"]
