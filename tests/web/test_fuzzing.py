"""Hostile input to every route, as anonymous, a delegate and an organiser: no answer is a 500,
and no page shows a marked `<script>` unescaped.

Every URL rule of the app is fuzzed with hypothesis: its URL arguments, the query parameters its
view reads and, for a POST, the inputs of the forms its view builds, or the JSON it reads
(`tests/fuzzing.py` derives them all from the app). What is sent: NUL bytes and control
characters, numbers far past 64 bits, odd Unicode (right-to-left overrides, combining marks,
astral planes), strings of thousands of characters, dates from the year 1 to 9999 and malformed
ones, and text around the markers.

The run is bounded: FUZZ_EXAMPLES examples per route and role, 10 unless the variable says more,
with a fixed seed unless it is set (`FUZZ_EXAMPLES=200 pytest tests/web/test_fuzzing.py` explores
afresh each time).
"""

import os
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings

from conference.extensions import db
from tests.factories import approved, build_programme, make_user
from tests.fuzzing import UNESCAPED, FuzzRequest, Route, requests_to, routes_of
from tests.programme_data import publish
from tests.web.test_access import ENDS_SESSION

ASKED = int(os.environ.get("FUZZ_EXAMPLES", "0"))
FUZZ = settings(
    max_examples=ASKED or 10,
    derandomize=not ASKED,
    database=None,
    deadline=timedelta(seconds=5),
    suppress_health_check=list(HealthCheck),
    print_blob=False,
)
ROLES = ["anonymous", "delegate", "organiser"]


@pytest.fixture
def app_settings():
    # Guessing is slowed elsewhere (and tested there): here a 429 would hide the forms behind
    # it. Not RATELIMIT_ENABLED: the limiter is shared, and would stay off for later tests.
    return {"LOGIN_RATE_LIMIT": "100000 per minute", "LETTER_CHECK_RATE_LIMIT": "100000 per minute"}


@pytest.fixture
def world(upcoming_event, organiser):
    """The event open for registration, a published programme, an approved delegate."""
    rows = build_programme(upcoming_event, sessions=3, speakers=2)
    moved = upcoming_event.starts_on - date(2014, 11, 5)  # the programme on the event's days
    for programme_session in rows.sessions:
        programme_session.starts_at += moved
        programme_session.ends_at += moved
    registration = approved(upcoming_event, "delegate@police.example")
    make_user("someone.else@police.example")
    db.session.commit()
    publish(upcoming_event, organiser)
    return {
        "event_slug": upcoming_event.slug,
        "reference": registration.reference,
        "token": "not-a-valid-token",
        "filename": "css/app.css",
        "letter_reference": f"{registration.reference}-L1",
        "organisation_id": str(upcoming_event.host.id),
        "session_id": str(rows.sessions[-1].id),
        "speaker_id": str(rows.speakers[0].id),
        "room_id": str(rows.rooms[0].id),
        "track_id": str(rows.tracks[0].id),
    }


def log_in_as(auth, role: str) -> None:
    if role == "delegate":
        auth.login("delegate@police.example")
    elif role == "organiser":
        auth.login("organiser@politie.example")


def answers_without_a_crash(client, route: Route, request: FuzzRequest) -> None:
    """The app's answer to `request` is no 500 (the tests' app raises what would be one) and
    shows none of the markers unescaped."""
    response = client.open(
        request.path,
        method=request.method,
        query_string=request.query,
        data=request.data(),
        buffered=True,  # a download read to its end inside its request, as a browser does
    )
    with response:  # downloads are files the answer holds open
        page = response.get_data(as_text=True) if response.mimetype == "text/html" else ""
    assert response.status_code < 500, f"{request.method} {request.path}: {response.status_code}"
    shown = [marker for marker in UNESCAPED if marker in page]
    assert not shown, f"{request.method} {request.path} shows {shown} unescaped"


def finding(client, auth, role: str, route: Route, world) -> str | None:
    """What fuzzing `route` as `role` found: the first failure, with its (shrunk) example."""

    @FUZZ
    @given(requests_to(route, world))
    def holds(request: FuzzRequest) -> None:
        answers_without_a_crash(client, route, request)
        if route.endpoint in ENDS_SESSION:
            log_in_as(auth, role)

    try:
        holds()
    except Exception as error:  # reported with every other route's, so that one run tells all
        notes = "\n".join(getattr(error, "__notes__", []))
        return f"{route.endpoint}: {type(error).__name__}: {error}\n{notes}"
    return None


@pytest.mark.parametrize("role", ROLES)
def test_no_input_to_any_route_crashes_or_comes_back_unescaped(app, client, auth, world, role):
    log_in_as(auth, role)
    found = [finding(client, auth, role, route, world) for route in routes_of(app)]
    failures = [failure for failure in found if failure]
    assert failures == [], "\n\n".join(failures)


def test_the_fuzzing_reaches_every_route_and_every_form(app):
    routes = routes_of(app)
    assert {route.endpoint for route in routes} == {r.endpoint for r in app.url_map.iter_rules()}
    posted = [route for route in routes if "POST" in route.methods]
    assert all(route.forms or route.json_keys for route in posted)
    by_endpoint = {route.endpoint: route for route in routes}
    assert {"q", "status", "page", "sort"} <= set(by_endpoint["organiser.registrations"].query)
    assert "next" in by_endpoint["accounts.login"].query
    assert "page" in by_endpoint["organiser.audit_log"].query  # read by db.paginate
    assert {"items", "badge", "at", "session"} <= set(
        by_endpoint["check_in.sync_check_ins"].json_keys
    )
