"""Walk every route in the app as every role, from anonymous to each team role: who gets in where.

The expectations are the access matrix in docs/access.md: a new route fails this test until
that file says who may use it, and so does a new team role or a change to a role's permissions.
"""

from pathlib import Path

import pytest

from conference.extensions import db
from conference.models import TeamRole
from conference.permissions import ROLE_PERMISSIONS, Permission
from conference.services.on_site.badges import badge_of
from conference.services.on_site.visa_letters import give_details
from tests.client import assert_redirects, log_in_first, redirects_to
from tests.factories import make_event, make_organiser, make_user, register, workshop
from tests.on_site_helpers import PASSPORT, asked_for_letter, letter_worded

# The access matrix, documented for reviewers and read from there: the roles' permissions, the
# places a redirect may lead to, and what each role gets from each route. A new role is a new
# column, a new route a new row, in docs/access.md. Each route is walked with GET, or POST when it
# takes no GET.
ACCESS_MATRIX = Path(__file__).parents[2] / "docs" / "access.md"
LOGIN = "login"


def read_tables(text: str) -> dict[str, list[list[str]]]:
    """Every Markdown table in `text`, by the name of its first column: its rows of cells (the
    tables of one name one after the other), each cell without its `code` quotes."""
    tables: dict[str, list[list[str]]] = {}
    header = None
    for line in text.splitlines():
        if not line.startswith("|"):
            header = None
            continue
        cells = [cell.strip().strip("`") for cell in line.strip().strip("|").split("|")]
        if header is None:
            header = cells
            tables.setdefault(cells[0], [header])
            assert tables[cells[0]][0] == header, f"tables of {cells[0]} differ: {header}"
        elif not set(line) <= set("|-: "):
            tables[header[0]].append(cells)
    return tables


TABLES = read_tables(ACCESS_MATRIX.read_text())
PLACES = {place: address.strip("`") for place, address, _ in TABLES["place"][1:]}


def read_access_table(
    table: list[list[str]],
) -> tuple[list[str], dict[str, dict[str, int | str]]]:
    """The table's roles (its column names), and for each endpoint each role's expected answer."""
    (_, *roles), *rows = table
    expected = {}
    for endpoint, *answers in rows:
        assert len(answers) == len(roles), f"{endpoint}: {len(answers)} answers, {len(roles)} roles"
        assert endpoint not in expected, f"{endpoint} is in the table twice"
        for answer in answers:
            assert answer.isdigit() or answer == LOGIN or answer[1:] in PLACES, (endpoint, answer)
        expected[endpoint] = {
            role: int(answer) if answer.isdigit() else answer
            for role, answer in zip(roles, answers, strict=True)
        }
    return roles, expected


def read_permissions_table(table: list[list[str]]) -> dict[str, set[str]]:
    """For each role, the permissions the table says it has."""
    (_, _, *roles), *rows = table
    return {
        role: {permission for permission, _, *has in rows if has[n] == "yes"}
        for n, role in enumerate(roles)
    }


ROLES, EXPECTED = read_access_table(TABLES["endpoint"])
TEAM = {role.value for role in TeamRole}
# These end the session: the walk logs back in after them.
ENDS_SESSION = {"accounts.logout", "accounts.end_all_sessions"}


@pytest.fixture
def world(app, event, organiser):
    for role in TEAM - {"organiser"}:
        make_organiser(event, f"{role}@politie.example", role=role)
    delegate = make_user("delegate@police.example")
    own = register(event, delegate.email.replace("delegate", "own"))
    # Someone else's registration for each decision, so that none depends on another.
    others = {
        endpoint: register(event, f"someone.else.{n}@police.example")
        for n, endpoint in enumerate(
            [
                "organiser.approve_registration",
                "organiser.waitlist_registration",
                "organiser.reject_registration",
                "organiser.registration",
            ]
        )
    }
    db.session.commit()
    return {
        "delegate": delegate,
        "own": own,
        "others": others,
        "organiser": organiser,
        "host": event.host,
    }


def values_for_rule(rule, world) -> dict[str, str]:
    other = world["others"].get(rule.endpoint, world["others"]["organiser.registration"])
    return {
        "event_slug": "vgt-2014",
        "reference": other.reference,
        "token": "not-a-valid-token",
        "filename": "css/app.css",
        "organisation_id": str(world["host"].id),  # the host: removing it is refused
        "invitation_id": "999999",  # none: withdrawing it is a 404 for those allowed to
        "letter_reference": "VGT14-NONE-L1",
        "email_kind": "registration_approved",
        "language": "nl",
        # None of these exist: a 404 for those allowed in.
        "session_id": "999999",
        "room_id": "999999",
        "track_id": "999999",
        "speaker_id": "999999",
        "email_id": "999999",
        "message_id": "999999",
    }


def url_for_rule(rule, world) -> str:
    values = values_for_rule(rule, world)
    path = rule.rule
    for argument in rule.arguments:
        path = path.replace(f"<{argument}>", values[argument])
        path = path.replace(f"<path:{argument}>", values[argument])
        path = path.replace(f"<int:{argument}>", values[argument])
    return path


def method_for_rule(rule) -> str:
    return "GET" if "GET" in rule.methods else "POST"


def expected_location(answer: str, rule, world) -> str:
    if answer == LOGIN:
        return log_in_first(url_for_rule(rule, world))
    return PLACES[answer.removeprefix(">")].format(**values_for_rule(rule, world))


def test_every_route_is_in_the_access_table(app):
    assert {rule.endpoint for rule in app.url_map.iter_rules()} == set(EXPECTED)


def test_every_role_has_a_column_in_the_access_table():
    assert sorted(ROLES) == sorted(["anonymous", "delegate", *TEAM])


def test_the_documented_permissions_are_the_roles_permissions():
    documented = read_permissions_table(TABLES["permission"])
    assert documented == {
        role.value: {permission.value for permission in ROLE_PERMISSIONS[role]} for role in TeamRole
    }
    assert {row[0] for row in TABLES["permission"][1:]} == {p.value for p in Permission}


def log_in_as(auth, world, role: str) -> None:
    if role == "delegate":  # the delegate with a registration of their own
        auth.login(world["own"].user.email)
    elif role in TEAM:
        auth.login(f"{role}@politie.example")


@pytest.mark.parametrize("role", ROLES)
def test_every_route_lets_in_exactly_who_it_should(app, client, auth, world, role):
    log_in_as(auth, world, role)
    failures = []
    for rule in app.url_map.iter_rules():
        expected = EXPECTED[rule.endpoint][role]
        method, url = method_for_rule(rule), url_for_rule(rule, world)
        data = (
            {"reason": "Checking access"}
            if rule.endpoint == "organiser.reject_registration"
            else None
        )
        response = client.open(url, method=method, data=data)
        response.close()
        if isinstance(expected, int):
            ok, wanted = response.status_code == expected, expected
        else:
            wanted = expected_location(expected, rule, world)
            ok = redirects_to(response, wanted)
        if not ok:
            answered = response.headers.get("Location", response.status_code)
            failures.append(f"{method} {url}: {answered}, expected {wanted} ({expected})")
        if rule.endpoint in ENDS_SESSION:
            log_in_as(auth, world, role)
    assert failures == []


def test_a_delegate_never_sees_another_delegates_registration(client, auth, world):
    auth.login(world["own"].user.email)
    for path in ["/vgt-2014/registration", "/account/"]:
        page = client.get(path).text
        assert world["own"].reference in page
        for other in world["others"].values():
            assert other.reference not in page
        assert "someone.else" not in page


@pytest.mark.parametrize("method", ["HEAD", "OPTIONS"])
@pytest.mark.parametrize("role", ROLES)
def test_no_route_fails_on_head_or_options(app, client, auth, world, role, method):
    log_in_as(auth, world, role)
    failures = []
    for rule in app.url_map.iter_rules():
        response = client.open(url_for_rule(rule, world), method=method)
        response.close()
        if response.status_code >= 500:
            failures.append(f"{method} {rule.rule}: {response.status_code}")
        outsider = role in ("delegate", "check_in") and rule.endpoint.startswith("organiser.")
        if outsider:  # not even the methods a route allows are told to those outside the team
            assert response.status_code in (403, 405), (method, rule.rule)
    assert failures == []


@pytest.mark.parametrize("role", ["organiser", "delegate"])
def test_an_absurd_id_in_any_url_is_a_404_not_a_crash(app, client, auth, world, role):
    log_in_as(auth, world, role)
    failures = []
    for rule in app.url_map.iter_rules():
        if not any(f"<int:{argument}>" in rule.rule for argument in rule.arguments):
            continue
        path = url_for_rule(rule, world).replace("999999", "9" * 30)  # every id far too large
        method = "POST" if "POST" in rule.methods else "GET"
        response = client.open(path, method=method)
        if response.status_code >= 500:
            failures.append(f"{method} {path}: {response.status_code}")
    assert failures == []


@pytest.mark.parametrize("role", ["organiser", "moderator", "viewer"])
def test_back_office_roles_must_turn_on_two_factor_before_the_back_office(
    client, auth, event, role
):
    member = make_organiser(event, f"new.{role}@politie.example", role=role)
    member.totp_enabled_at = member.totp_secret = None
    db.session.commit()
    auth.login(member.email)
    response = client.get("/vgt-2014/organiser/registrations")
    assert_redirects(
        response, to="/account/two-factor?next=%2Fvgt-2014%2Forganiser%2Fregistrations"
    )


def test_a_viewer_with_a_password_alone_downloads_no_needs(client, auth, event):
    viewer = make_organiser(event, "new.viewer@politie.example", role="viewer")
    viewer.totp_enabled_at = viewer.totp_secret = None
    db.session.commit()
    auth.login(viewer.email)
    response = client.post(
        "/vgt-2014/organiser/exports/participants",
        data={"columns": ["name", "dietary_needs", "accessibility_needs"], "format": "csv"},
    )
    assert_redirects(
        response, to="/account/two-factor?next=%2Fvgt-2014%2Forganiser%2Fexports%2Fparticipants"
    )


def test_the_back_office_navigation_shows_each_role_only_its_areas(client, auth, world):
    auth.login("viewer@politie.example")
    viewer_nav = client.get("/vgt-2014/organiser/").text.split('aria-label="Back office"')[1]
    assert "Dashboard" in viewer_nav and "Audit log" in viewer_nav
    assert "Settings" not in viewer_nav and "Team" not in viewer_nav
    auth.logout()
    auth.login(world["organiser"].email)
    organiser_nav = client.get("/vgt-2014/organiser/").text.split('aria-label="Back office"')[1]
    for area in [
        "Dashboard",
        "Registrations",
        "Exports",
        "Import",
        "Team",
        "Settings",
        "Partners",
        "Audit log",
    ]:
        assert f">{area}</a>" in organiser_nav, area


@pytest.fixture
def two_events(app, event, organiser):
    """A registration, its letter and badge, and a session in each of two events; the tests'
    organiser is on the team of the first only."""
    other_event = make_event(slug="icac-2015")
    make_organiser(other_event, "organiser@icac.example")
    letter_worded(event)
    letter_worded(other_event)
    objects = {}
    for each in (event, other_event):
        registration = asked_for_letter(each, f"delegate@{each.slug}.example")
        letter = give_details(registration, PASSPORT, actor=registration.user)
        badge_of(registration, actor=None)
        workshop_session = workshop(each, f"Workshop of {each.slug}", capacity=10)
        objects[each.slug] = {
            "reference": registration.reference,
            "letter_reference": letter.reference,
            "session_id": str(workshop_session.id),
        }
    db.session.commit()
    return objects


# What an organiser asks of one object, by its reference or id, as the back office asks it.
ASKED_BY_REFERENCE = [
    ("GET", "/{slug}/organiser/registrations/{reference}", None),
    ("POST", "/{slug}/organiser/registrations/{reference}/badge.pdf", {"layout": "a6"}),
    ("POST", "/{slug}/organiser/letters/{letter_reference}/download", {}),
    ("GET", "/{slug}/organiser/programme/sessions/{session_id}", None),
]


@pytest.mark.parametrize(("method", "path", "data"), ASKED_BY_REFERENCE)
def test_another_events_objects_are_not_found(client, auth, two_events, method, path, data):
    """An organiser of VGT 2014 who puts another event's reference into their own event's
    address finds nothing there; the same address with their own event's object works."""
    auth.login("organiser@politie.example")
    own, theirs = two_events["vgt-2014"], two_events["icac-2015"]
    response = client.open(path.format(slug="vgt-2014", **theirs), method=method, data=data)
    assert response.status_code == 404
    assert client.open(path.format(slug="icac-2015", **theirs), method=method).status_code == 403
    assert (
        client.open(path.format(slug="vgt-2014", **own), method=method, data=data).status_code
        == 200
    )
