"""Walk every route in the app as anonymous, delegate and organiser: who gets in where.

A new route fails this test until it says here who may use it.
"""

import pytest

from conference.extensions import db
from tests.conftest import make_organiser, make_user, register

LOGIN = "login"  # a redirect to the login page
ROLES = ["anonymous", "delegate", "organiser", "moderator", "viewer", "check_in"]
TEAM = {"organiser", "moderator", "viewer", "check_in"}

# endpoint: (method, then the answer for each of ROLES)
EXPECTED = {
    "static": ("GET", 200, 200, 200, 200, 200, 200),
    "public.index": ("GET", 302, 302, 302, 302, 302, 302),
    "public.favicon": ("GET", 200, 200, 200, 200, 200, 200),
    "public.event_without_slash": ("GET", 302, 302, 302, 302, 302, 302),
    "public.event": ("GET", 200, 200, 200, 200, 200, 200),
    "public.programme": ("GET", 200, 200, 200, 200, 200, 200),
    "public.session": ("GET", 404, 404, 404, 404, 404, 404),
    "public.speaker": ("GET", 404, 404, 404, 404, 404, 404),
    "public.schedule_json": ("GET", 404, 404, 404, 404, 404, 404),
    "public.schedule_xml": ("GET", 404, 404, 404, 404, 404, 404),
    "accounts.signup": ("GET", 200, 302, 302, 302, 302, 302),
    "accounts.login": ("GET", 200, 302, 302, 302, 302, 302),
    "accounts.two_factor_login": ("GET", 302, 302, 302, 302, 302, 302),
    "accounts.two_factor_setup": ("GET", LOGIN, 200, 200, 200, 200, 200),
    "accounts.two_factor_qr_code": ("GET", LOGIN, 200, 404, 404, 404, 404),
    "accounts.end_all_sessions": ("POST", LOGIN, 302, 302, 302, 302, 302),
    "accounts.logout": ("POST", 302, 302, 302, 302, 302, 302),
    "accounts.verify_email": ("GET", 400, 400, 400, 400, 400, 400),
    "accounts.request_password_reset": ("GET", 200, 200, 200, 200, 200, 200),
    "accounts.reset_password": ("GET", 400, 400, 400, 400, 400, 400),
    "accounts.home": ("GET", LOGIN, 200, 200, 200, 200, 200),
    "accounts.change_name": ("GET", LOGIN, 200, 200, 200, 200, 200),
    "accounts.change_email": ("GET", LOGIN, 200, 200, 200, 200, 200),
    "accounts.confirm_email_change": ("GET", LOGIN, 400, 400, 400, 400, 400),
    "accounts.change_password": ("GET", LOGIN, 200, 200, 200, 200, 200),
    "delegate.register": ("GET", LOGIN, 302, 200, 200, 200, 200),
    "delegate.registration": ("GET", LOGIN, 200, 302, 302, 302, 302),
    "delegate.edit_registration": ("GET", LOGIN, 200, 404, 404, 404, 404),
    "delegate.cancel_registration": ("GET", LOGIN, 200, 404, 404, 404, 404),
    "delegate.certificate": ("GET", LOGIN, 409, 404, 404, 404, 404),
    "delegate.agenda": ("GET", LOGIN, 200, 200, 200, 200, 200),
    "delegate.sign_up_for_workshop": ("POST", LOGIN, 403, 403, 403, 403, 403),
    "delegate.leave_workshop": ("POST", LOGIN, 404, 403, 403, 403, 403),
    "delegate.new_calendar_link": ("POST", LOGIN, 403, 403, 403, 403, 403),
    "delegate.agenda_feed": ("GET", 404, 404, 404, 404, 404, 404),
    "public.programme_feed": ("GET", 404, 404, 404, 404, 404, 404),
    "organiser.registrations_list": ("GET", LOGIN, 403, 200, 200, 200, 403),
    "organiser.registration_detail": ("GET", LOGIN, 403, 200, 200, 200, 403),
    "organiser.approve": ("POST", LOGIN, 403, 302, 302, 403, 403),
    "organiser.waitlist": ("POST", LOGIN, 403, 302, 302, 403, 403),
    "organiser.reject": ("POST", LOGIN, 403, 302, 302, 403, 403),
    "organiser.add_note": ("POST", LOGIN, 403, 400, 400, 403, 403),
    "organiser.tag_registration": ("POST", LOGIN, 403, 400, 400, 403, 403),
    "organiser.untag_registration": ("POST", LOGIN, 403, 400, 400, 403, 403),
    "organiser.bulk_action": ("POST", LOGIN, 403, 400, 403, 403, 403),
    "organiser.tags_page": ("GET", LOGIN, 403, 200, 403, 403, 403),
    "organiser.delete_tag": ("POST", LOGIN, 403, 400, 403, 403, 403),
    "organiser.dashboard": ("GET", LOGIN, 403, 200, 200, 200, 403),
    "organiser.settings": ("GET", LOGIN, 403, 200, 403, 403, 403),
    "organiser.partners": ("GET", LOGIN, 403, 200, 403, 403, 403),
    "organiser.add_partner": ("GET", LOGIN, 403, 200, 403, 403, 403),
    "organiser.edit_partner": ("GET", LOGIN, 403, 200, 403, 403, 403),
    "organiser.remove_partner": ("POST", LOGIN, 403, 409, 403, 403, 403),
    "organiser.move_partner": ("POST", LOGIN, 403, 400, 403, 403, 403),
    "organiser.exports_page": ("GET", LOGIN, 403, 200, 200, 200, 403),
    "organiser.export_participants": ("POST", LOGIN, 403, 400, 400, 400, 403),
    "organiser.export_catering": ("POST", LOGIN, 403, 400, 400, 400, 403),
    "organiser.export_security": ("POST", LOGIN, 403, 400, 400, 400, 403),
    "organiser.on_site": ("GET", LOGIN, 403, 200, 200, 200, 403),
    "organiser.on_site_counts": ("GET", LOGIN, 403, 200, 200, 200, 403),
    "organiser.export_not_arrived": ("POST", LOGIN, 403, 400, 400, 400, 403),
    "organiser.download_certificates": ("POST", LOGIN, 403, 409, 409, 409, 403),
    "organiser.programme": ("GET", LOGIN, 403, 200, 200, 200, 403),
    "organiser.publish_programme": ("POST", LOGIN, 403, 302, 403, 403, 403),
    "organiser.new_session": ("GET", LOGIN, 403, 200, 403, 403, 403),
    "organiser.edit_session": ("GET", LOGIN, 403, 404, 404, 404, 403),
    "organiser.delete_session": ("POST", LOGIN, 403, 404, 403, 403, 403),
    "organiser.rooms": ("GET", LOGIN, 403, 200, 200, 200, 403),
    "organiser.new_room": ("GET", LOGIN, 403, 200, 403, 403, 403),
    "organiser.edit_room": ("GET", LOGIN, 403, 404, 404, 404, 403),
    "organiser.delete_room": ("POST", LOGIN, 403, 404, 403, 403, 403),
    "organiser.tracks": ("GET", LOGIN, 403, 200, 200, 200, 403),
    "organiser.new_track": ("GET", LOGIN, 403, 200, 403, 403, 403),
    "organiser.edit_track": ("GET", LOGIN, 403, 404, 404, 404, 403),
    "organiser.delete_track": ("POST", LOGIN, 403, 404, 403, 403, 403),
    "organiser.speakers": ("GET", LOGIN, 403, 200, 200, 200, 403),
    "organiser.new_speaker": ("GET", LOGIN, 403, 200, 403, 403, 403),
    "organiser.edit_speaker": ("GET", LOGIN, 403, 404, 404, 404, 403),
    "organiser.delete_speaker": ("POST", LOGIN, 403, 404, 403, 403, 403),
    "organiser.import_page": ("GET", LOGIN, 403, 200, 403, 403, 403),
    "organiser.invitations_page": ("GET", LOGIN, 403, 200, 200, 200, 403),
    "organiser.invite": ("POST", LOGIN, 403, 400, 403, 403, 403),
    "organiser.withdraw_invitation": ("POST", LOGIN, 403, 404, 403, 403, 403),
    "organiser.team": ("GET", LOGIN, 403, 200, 403, 403, 403),
    "organiser.invite_member": ("POST", LOGIN, 403, 400, 403, 403, 403),
    "organiser.withdraw_team_invitation": ("POST", LOGIN, 403, 404, 403, 403, 403),
    "organiser.change_member_role": ("POST", LOGIN, 403, 400, 403, 403, 403),
    "organiser.remove_member": ("POST", LOGIN, 403, 400, 403, 403, 403),
    "organiser.audit_log": ("GET", LOGIN, 403, 200, 200, 200, 403),
    "accounts.team_invitation": ("GET", 400, 400, 400, 400, 400, 400),
}
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
                "organiser.approve",
                "organiser.waitlist",
                "organiser.reject",
                "organiser.registration_detail",
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


def url_for_rule(rule, world) -> str:
    other = world["others"].get(rule.endpoint, world["others"]["organiser.registration_detail"])
    values = {
        "event_slug": "vgt-2014",
        "reference": other.reference,
        "token": "not-a-valid-token",
        "filename": "css/app.css",
        "organisation_id": str(world["host"].id),  # the host: removing it is refused
        "invitation_id": "999999",  # none: withdrawing it is a 404 for those allowed to
        # None of these exist: a 404 for those allowed in.
        "session_id": "999999",
        "room_id": "999999",
        "track_id": "999999",
        "speaker_id": "999999",
    }
    path = rule.rule
    for argument in rule.arguments:
        path = path.replace(f"<{argument}>", values[argument])
        path = path.replace(f"<path:{argument}>", values[argument])
        path = path.replace(f"<int:{argument}>", values[argument])
    return path


def test_every_route_is_in_the_access_table(app):
    assert {rule.endpoint for rule in app.url_map.iter_rules()} == set(EXPECTED)


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
        method, *answers = EXPECTED[rule.endpoint]
        expected = answers[ROLES.index(role)]
        url = url_for_rule(rule, world)
        data = {"reason": "Checking access"} if rule.endpoint == "organiser.reject" else None
        response = client.open(url, method=method, data=data)
        response.close()
        if expected == LOGIN:
            ok = response.status_code == 302 and response.headers["Location"].startswith(
                "/account/login?next="
            )
        else:
            ok = response.status_code == expected
        if not ok:
            failures.append(f"{method} {url}: {response.status_code}, expected {expected}")
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


@pytest.mark.parametrize("role", ["organiser", "moderator"])
def test_deciding_roles_must_turn_on_two_factor_before_the_back_office(client, auth, event, role):
    member = make_organiser(event, f"new.{role}@politie.example", role=role)
    member.totp_enabled_at = member.totp_secret = None
    db.session.commit()
    auth.login(member.email)
    response = client.get("/vgt-2014/organiser/registrations")
    assert response.headers["Location"].startswith("/account/two-factor?next=")


def test_a_viewer_may_read_without_two_factor(client, auth, event):
    viewer = make_organiser(event, "new.viewer@politie.example", role="viewer")
    viewer.totp_enabled_at = viewer.totp_secret = None
    db.session.commit()
    auth.login(viewer.email)
    assert client.get("/vgt-2014/organiser/registrations").status_code == 200


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
