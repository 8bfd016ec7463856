"""The check-in desk through its forms and its JSON, with CSRF on: scan, search, a session's
door, the offline copy and the sync, and what the organisers see of it."""

import json
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from conference.check_in.views import DESK_FILES, files_version
from conference.extensions import db
from conference.local_time import local_date
from conference.models import AuditEntry, CheckIn, utcnow
from conference.models import RegistrationStatus as Status
from conference.services.on_site import badges
from tests.client import assert_redirects, csrf_token
from tests.factories import approved, make_organiser, workshop

DESK = "/vgt-2014/check-in/"
STAFF = "anna.staff@politie.example"


@pytest.fixture
def app_settings():
    return {"WTF_CSRF_ENABLED": True}


@pytest.fixture
def desk(event, organiser):
    """The first day of the event is today; check-in staff at the desk; Ben, approved."""
    today = local_date(utcnow(), event.timezone)
    event.starts_on, event.ends_on = today, today + timedelta(days=1)
    make_organiser(event, STAFF, role="check_in")
    ben = approved(event, "ben@police.example")
    ben.accessibility_needs = "Hearing loop in the plenary hall"
    token = badges.token_of(badges.badge_of(ben, actor=None))
    db.session.commit()
    return ben, token


def scan(client, code: str, **fields):
    page = client.get(DESK, query_string=fields).text
    query = f"?session={fields['session']}" if "session" in fields else ""
    return client.post(DESK + query, data={"csrf_token": csrf_token(page), "code": code, **fields})


def test_check_in_staff_land_on_the_desk_when_they_log_in(client, auth, desk):
    assert_redirects(auth.login(STAFF), to=DESK)


def test_check_in_staff_find_the_desk_in_the_menu_and_no_back_office(client, auth, desk):
    auth.login(STAFF)
    menu = client.get("/vgt-2014/programme").text

    assert f'href="{DESK}">Check-in desk</a>' in menu
    assert "Back office" not in menu


def test_the_desk_may_use_the_camera_and_serves_its_decoder_itself(client, auth, desk):
    auth.login(STAFF)
    response = client.get(DESK)

    assert "camera=(self)" in response.headers["Permissions-Policy"]
    assert 'src="/static/vendor/jsQR.js"' in response.text
    assert 'src="/static/js/desk.js"' in response.text and "<script>" not in response.text
    assert client.get("/static/vendor/jsQR.js").status_code == 200
    assert "Apache License" in client.get("/static/vendor/jsQR-LICENSE").text
    assert "camera=()" in client.get("/account/").headers["Permissions-Policy"]


def test_a_scanned_badge_shows_who_it_is_checked_in_and_then_already(client, auth, desk):
    ben, token = desk
    auth.login(STAFF)

    first = scan(client, token)
    second = scan(client, token)

    assert first.status_code == 200
    assert "desk-checked_in" in first.text and "✓ Checked in" in first.text
    assert '<p class="desk-name mb-1" data-name>ben</p>' in first.text
    assert "Federal Police Cybercrime Unit · Belgium" in first.text
    assert "Hearing loop in the plenary hall" in first.text
    assert "desk-already" in second.text and "Already checked in today at" in second.text
    assert "by Olga." in second.text  # make_organiser names every team member Olga
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CheckIn)) == 1


def test_a_refused_badge_is_red_and_a_409(client, auth, desk):
    ben, token = desk
    ben.status = Status.REJECTED
    db.session.commit()
    auth.login(STAFF)

    response = scan(client, token)

    assert response.status_code == 409
    assert "desk-refused" in response.text and "✗ Refused" in response.text
    assert "Registration rejected: not admitted." in response.text
    assert db.session.scalars(sa.select(AuditEntry.action)).all()[-1] == "check_in.refused"


def test_nothing_scanned_is_a_400_with_the_reason_beside_the_field(client, auth, desk):
    auth.login(STAFF)
    response = scan(client, "")
    assert response.status_code == 400
    assert "Scan a badge, or type a name or a reference." in response.text


def test_a_scan_without_its_csrf_token_is_refused(client, auth, desk):
    auth.login(STAFF)
    assert client.post(DESK, data={"code": desk[1]}).status_code == 400
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CheckIn)) == 0


def test_a_name_typed_into_the_scan_field_shows_who_is_called_so(client, auth, desk):
    ben, _ = desk
    auth.login(STAFF)

    response = scan(client, "  Be ")

    assert response.status_code == 200
    assert f'name="code" value="{ben.reference}"' in response.text
    assert "Check in ben" in response.text and "✗ Refused" not in response.text
    assert db.session.scalars(sa.select(AuditEntry.action)).all().count("check_in.refused") == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CheckIn)) == 0


def test_someone_without_a_badge_is_found_by_name_and_checked_in(client, auth, desk):
    ben, _ = desk
    auth.login(STAFF)

    found = client.get(DESK, query_string={"q": "be"}).text
    assert f'name="code" value="{ben.reference}"' in found
    response = scan(client, ben.reference)

    assert "✓ Checked in" in response.text
    assert "Nobody of this event is called “zz”." in client.get(DESK + "?q=zz").text


def test_the_organisers_live_counts_follow_the_desk(client, auth, desk, organiser):
    auth.login(STAFF)
    scan(client, desk[1])
    auth.logout()
    auth.login(organiser.email)

    counts = client.get("/vgt-2014/organiser/on-site/counts.json").json
    assert counts["days"][0]["checked_in"] == 1


def test_at_a_workshops_door_the_desk_records_who_came_on_its_page(client, auth, event, desk):
    session = workshop(event, "Victim identification lab", capacity=10)
    db.session.commit()
    auth.login(STAFF)

    response = scan(client, desk[1], session=session.id)
    again = scan(client, desk[1], session=session.id)

    assert "At the door of “Victim identification lab”" in response.text
    assert "Came to “Victim identification lab”." in response.text
    assert "Already checked in at this session" in again.text
    auth.logout()
    auth.login("organiser@politie.example")
    page = client.get(f"/vgt-2014/organiser/programme/sessions/{session.id}").text
    assert "1 came through the door, 1 of them without a place." in page


def test_a_session_of_no_such_kind_is_a_404_at_the_entrance(client, auth, desk):
    auth.login(STAFF)
    response = client.get(DESK, query_string={"session": 999999})

    assert response.status_code == 404
    assert "No such session in this event." in response.text
    assert "Entrance: arrivals of the day" in response.text
    for beyond_any_id in ["9" * 30, "-" + "9" * 30, "0"]:  # no database holds such an id
        assert client.get(DESK, query_string={"session": beyond_any_id}).status_code == 404


def test_a_scan_at_a_deleted_workshops_door_is_a_404_at_the_entrance_never_a_500(
    client, auth, desk
):
    auth.login(STAFF)
    token = csrf_token(client.get(DESK).text)

    response = client.post(
        DESK + "?session=999999", data={"csrf_token": token, "code": desk[1], "session": 999999}
    )

    assert response.status_code == 404
    assert "No such session in this event." in response.text
    assert "Entrance: arrivals of the day" in response.text
    assert 'name="session" type="hidden" value=""' in response.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CheckIn)) == 0


def test_a_scan_whose_page_names_a_deleted_workshop_checks_in_at_the_entrance(client, auth, desk):
    auth.login(STAFF)
    token = csrf_token(client.get(DESK).text)

    response = client.post(DESK + "?session=999999", data={"csrf_token": token, "code": desk[1]})

    assert response.status_code == 200 and "✓ Checked in" in response.text
    assert "Entrance: arrivals of the day" in response.text


def test_the_offline_copy_holds_hashes_and_a_fresh_token(client, auth, desk):
    ben, token = desk
    auth.login(STAFF)

    copy = client.get(DESK + "copy.json")

    assert copy.headers["Cache-Control"] == "no-store"
    assert [p["reference"] for p in copy.json["people"]] == [ben.reference]
    assert token not in copy.text and copy.json["csrf_token"]


def test_once_the_event_is_over_the_copy_is_gone_and_the_desk_is_told_why(
    client, auth, desk, event
):
    event.starts_on, event.ends_on = date(2014, 11, 5), date(2014, 11, 6)
    db.session.commit()
    auth.login(STAFF)

    copy = client.get(DESK + "copy.json", headers={"Accept": "application/json"})

    assert copy.status_code == 410
    assert copy.json["error"].endswith("is over: the desk keeps no copy of its delegates.")
    assert "people" not in copy.json


def sync(client, items, token: str | None = None, **body):
    headers = {"Accept": "application/json"}
    if token:
        headers["X-CSRFToken"] = token
    return client.post(
        DESK + "sync",
        data=json.dumps({"desk": "Desk A", "items": items, **body}),
        content_type="application/json",
        headers=headers,
    )


def test_a_desk_back_online_sends_its_check_ins_and_gets_an_answer_for_each(client, auth, desk):
    ben, _ = desk
    auth.login(STAFF)
    copy = client.get(DESK + "copy.json").json
    at = (utcnow() - timedelta(minutes=20)).isoformat()
    items = [
        {"id": "one", "badge": copy["people"][0]["badge"], "at": at},
        {"id": "two", "badge": copy["people"][0]["badge"], "at": at},
        {"id": "three", "badge": "f" * 64, "at": at},
        {"id": "four", "badge": "nonsense", "at": at},
    ]

    response = sync(client, items, copy["csrf_token"])

    assert response.status_code == 200
    answers = {a["id"]: a for a in response.json["answers"]}
    assert [answers[i]["outcome"] for i in ("one", "two", "three", "four")] == [
        "checked_in",
        "already",
        "refused",
        "invalid",
    ]
    assert answers["one"]["person"]["name"] == "ben"
    assert db.session.scalars(sa.select(CheckIn.desk)).all() == ["Desk A"]


@pytest.mark.parametrize("body", ["not json", "[1, 2]", '{"items": "x"}', '{"items": []}'])
def test_a_sync_that_is_not_a_batch_is_a_400_never_a_500(client, auth, desk, body):
    auth.login(STAFF)
    token = client.get(DESK + "copy.json").json["csrf_token"]
    response = client.post(
        DESK + "sync",
        data=body,
        content_type="application/json",
        headers={"Accept": "application/json", "X-CSRFToken": token},
    )
    assert response.status_code == 400 and response.json["error"]


def test_a_sync_without_its_csrf_token_is_refused(client, auth, desk):
    auth.login(STAFF)
    assert sync(client, [{"id": "1", "reference": desk[0].reference}]).status_code == 400
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CheckIn)) == 0


def test_the_service_worker_keeps_the_desk_and_its_files_and_no_json(client, auth, desk):
    auth.login(STAFF)
    response = client.get(DESK + "service-worker.js")

    assert response.content_type.startswith("text/javascript")
    assert '"/vgt-2014/check-in/"' in response.text and '"/static/js/desk.js"' in response.text
    assert "copy.json" not in response.text
    version = files_version(client.application.static_folder)
    assert f'var CACHE = PREFIX + "{version}";' in response.text


def test_the_service_workers_cache_is_named_by_the_files_it_keeps(tmp_path):
    def version_of(release: str, desk_script: str) -> str:
        folder = tmp_path / release
        for name in DESK_FILES:
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / name).write_text(desk_script if name == "js/desk.js" else name)
        return files_version(str(folder))

    assert version_of("release-1", "one") == version_of("release-1-again", "one")
    assert version_of("release-1", "one") != version_of("release-2", "two")


def test_logging_out_clears_what_the_desk_kept_in_the_browser(client, auth, desk):
    auth.login(STAFF)
    assert auth.logout().headers["Clear-Site-Data"] == '"storage"'


def test_the_audit_log_says_when_the_desk_saw_the_delegate(client, auth, desk, organiser):
    auth.login(STAFF)
    scan(client, desk[1])
    auth.logout()
    auth.login(organiser.email)
    page = client.get("/vgt-2014/organiser/audit-log").text
    assert "Check in: checked in" in page and "Seen at the desk" in page
