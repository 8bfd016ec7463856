"""The CSV import page: a dry run, then every row or none."""

import io

import sqlalchemy as sa
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import stream_encode_multipart

from conference.extensions import db
from conference.models import OutboxEmail, Registration
from conference.services.registration import people_csv
from tests.client import assert_redirects
from tests.factories import make_organiser

PAGE = "/vgt-2014/organiser/import"
HEADER = (
    "name,email,organisation,country,job_title,dietary_needs,accessibility_needs,invitation_letter"
)
GOOD = (
    HEADER + "\n"
    "Anna de Vries,anna@politie.example,Politie,NL,Detective,,,no\n"
    "Bram Janssen,bram@europol.example,Europol,Netherlands,Analyst,,,yes\n"
)
BAD = GOOD + "Lost,lost@police.example,Politie,Atlantis,Officer,,,\n"


def upload(client, content, *, filename="delegates.csv", kind="registrations", **fields):
    if isinstance(content, str):
        content = content.encode()
    # Encoded here, in memory: the test client would spool a large body to a file it never closes.
    files = MultiDict({"kind": kind, **fields})
    files.add("file", FileStorage(io.BytesIO(content), filename=filename))
    body, length, boundary = stream_encode_multipart(files, use_tempfile=False)
    return client.post(
        PAGE, data=body.read(), content_type=f"multipart/form-data; boundary={boundary}"
    )


def registration_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Registration))


def test_the_import_page_explains_the_file(client, auth, organiser):
    auth.login(organiser.email)
    page = client.get(PAGE).text
    assert 'enctype="multipart/form-data"' in page
    assert "Import takes every row or none" in page
    assert "invitation_letter" in page


def test_the_dry_run_checks_and_saves_nothing(client, auth, organiser):
    auth.login(organiser.email)
    response = upload(client, GOOD, dry_run="Check the file")
    assert response.status_code == 200
    assert "No errors: 2 rows are ready to import." in response.text
    assert registration_count() == 0


def test_the_dry_run_lists_every_bad_row(client, auth, organiser):
    auth.login(organiser.email)
    response = upload(client, BAD, dry_run="Check the file")
    assert response.status_code == 400
    assert "1 row has errors and 2 are fine." in response.text
    assert "<td>4</td><td>Unknown country “Atlantis”.</td>" in response.text
    assert registration_count() == 0


def test_the_import_takes_every_row(client, auth, organiser):
    auth.login(organiser.email)
    response = upload(client, GOOD, submit="Import")
    assert_redirects(response, to="/vgt-2014/organiser/registrations?status=pending")
    assert registration_count() == 2
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxEmail)) == 0
    page = client.get("/vgt-2014/organiser/registrations?status=pending").text
    assert "2 registrations imported as pending." in page
    assert "anna@politie.example" in page


def test_the_import_emails_people_when_asked(client, auth, organiser):
    auth.login(organiser.email)
    upload(client, GOOD, submit="Import", notify="y")
    recipients = db.session.scalars(sa.select(OutboxEmail.recipient)).all()
    assert sorted(recipients) == ["anna@politie.example", "bram@europol.example"]


def test_a_file_with_a_bad_row_imports_nothing(client, auth, organiser):
    auth.login(organiser.email)
    response = upload(client, BAD, submit="Import")
    assert response.status_code == 400
    assert "Nothing was imported: 1 of 3 rows have errors." in response.text
    assert "<td>4</td>" in response.text
    assert registration_count() == 0


def test_a_file_that_is_not_csv_gets_a_clear_400(client, auth, organiser):
    auth.login(organiser.email)
    picture = upload(client, b"\x89PNG\r\n\x1a\n\x00", filename="photo.png", dry_run="Check")
    assert picture.status_code == 400
    assert "Choose a CSV file (ending in .csv)." in picture.text
    binary = upload(client, b"\xff\xfe\x00n\x00a", dry_run="Check")
    assert binary.status_code == 400
    assert "The file is not UTF-8 text." in binary.text


def test_a_file_over_5_mb_gets_a_clear_400(client, auth, organiser):
    auth.login(organiser.email)
    big = GOOD + "x" * people_csv.MAX_FILE_SIZE
    response = upload(client, big, dry_run="Check")
    assert response.status_code == 400
    assert "The file is larger than 5 MB." in response.text


def test_no_file_is_a_400(client, auth, organiser):
    auth.login(organiser.email)
    response = client.post(PAGE, data={"dry_run": "Check"})
    assert response.status_code == 400
    assert "Choose the CSV file to import." in response.text


def test_only_an_organiser_may_import(client, auth, event):
    for role in ["moderator", "viewer"]:
        make_organiser(event, f"{role}@politie.example", role=role)
    db.session.commit()
    for role in ["moderator", "viewer"]:
        auth.login(f"{role}@politie.example")
        assert client.get(PAGE).status_code == 403
        assert upload(client, GOOD, submit="Import").status_code == 403
        auth.logout()
    assert registration_count() == 0


def test_one_imported_row_is_said_in_the_singular(client, auth, organiser):
    auth.login(organiser.email)
    one = HEADER + "\nAnna de Vries,anna@politie.example,Politie,NL,Detective,,,no\n"
    upload(client, one, submit="Import")
    page = client.get("/vgt-2014/organiser/registrations?status=pending").text
    assert "1 registration imported as pending." in page
    invited = upload(
        client, "name,email\nBram Janssen,bram@europol.example\n", kind="invitees", submit="Import"
    )
    assert invited.headers["Location"] == "/vgt-2014/organiser/invitations"
    page = client.get("/vgt-2014/organiser/invitations").text
    assert "1 invitation is on its way." in page
