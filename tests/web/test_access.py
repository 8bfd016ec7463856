"""Walk every route in the app as every role, from anonymous to each team role: who gets in where.

A new route fails this test until it says here who may use it, and so does a new team role.
"""

import pytest

from conference.extensions import db
from conference.models import TeamRole
from tests.client import assert_redirects, log_in_first, redirects_to
from tests.factories import make_organiser, make_user, register

# What each role gets from each route: a status code; `login`, sent to the log-in form and back
# here afterwards (`?next=`); or `>place`, a redirect to one of PLACES. A new role is a new column,
# a new route a new row. Each route is walked with GET, or POST when it takes no GET.
ACCESS = """
endpoint                                   anonymous delegate  organiser moderator viewer    check_in
static                                     200       200       200       200       200       200
public.index                               >event    >event    >event    >event    >event    >event
public.favicon                             200       200       200       200       200       200
public.event_without_slash                 >event    >event    >event    >event    >event    >event
public.event                               200       200       200       200       200       200
public.programme                           200       200       200       200       200       200
public.session                             404       404       404       404       404       404
public.speaker                             404       404       404       404       404       404
public.schedule_json                       404       404       404       404       404       404
public.schedule_xml                        404       404       404       404       404       404
public.verify_letter                       200       200       200       200       200       200
accounts.signup                            200       >home     >home     >home     >home     >home
accounts.login                             200       >own      >list     >list     >list     >desk
accounts.two_factor_login                  >login    >login    >login    >login    >login    >login
accounts.two_factor_setup                  login     200       200       200       200       200
accounts.two_factor_qr_code                login     200       404       404       404       404
accounts.end_all_sessions                  login     >login    >login    >login    >login    >login
accounts.logout                            >index    >index    >index    >index    >index    >index
accounts.verify_email                      400       400       400       400       400       400
accounts.request_password_reset            200       200       200       200       200       200
accounts.reset_password                    400       400       400       400       400       400
accounts.home                              login     200       200       200       200       200
accounts.change_name                       login     200       200       200       200       200
accounts.change_email                      login     200       200       200       200       200
accounts.confirm_email_change              login     400       400       400       400       400
accounts.change_password                   login     200       200       200       200       200
delegate.register                          login     >own      200       200       200       200
delegate.registration                      login     200       >register >register >register >register
delegate.edit_registration                 login     200       404       404       404       404
delegate.cancel_registration               login     200       404       404       404       404
delegate.certificate                       login     409       404       404       404       404
delegate.badge                             login     409       404       404       404       404
delegate.give_letter_details               login     400       404       404       404       404
delegate.visa_letter                       login     409       404       404       404       404
delegate.agenda                            login     200       200       200       200       200
delegate.sign_up_for_workshop              login     403       403       403       403       403
delegate.leave_workshop                    login     404       403       403       403       403
delegate.renew_calendar_link               login     403       403       403       403       403
delegate.agenda_feed                       404       404       404       404       404       404
public.programme_feed                      404       404       404       404       404       404
organiser.registrations                    login     403       200       200       200       403
organiser.registration                     login     403       200       200       200       403
organiser.approve_registration             login     403       >detail   >detail   403       403
organiser.waitlist_registration            login     403       >detail   >detail   403       403
organiser.reject_registration              login     403       >detail   >detail   403       403
organiser.add_note                         login     403       400       400       403       403
organiser.tag_registration                 login     403       400       400       403       403
organiser.untag_registration               login     403       400       400       403       403
organiser.download_badge                   login     403       400       400       403       403
organiser.revoke_badge                     login     403       400       400       403       403
organiser.reissue_badge                    login     403       400       400       403       403
organiser.run_bulk_action                  login     403       400       403       403       403
organiser.tags                             login     403       200       403       403       403
organiser.delete_tag                       login     403       400       403       403       403
organiser.dashboard                        login     403       200       200       200       403
organiser.settings                         login     403       200       403       403       403
organiser.partners                         login     403       200       403       403       403
organiser.add_partner                      login     403       200       403       403       403
organiser.edit_partner                     login     403       200       403       403       403
organiser.remove_partner                   login     403       409       403       403       403
organiser.move_partner                     login     403       400       403       403       403
organiser.exports                          login     403       200       200       200       403
organiser.export_participants              login     403       400       400       400       403
organiser.export_catering                  login     403       400       400       400       403
organiser.export_security                  login     403       400       400       400       403
organiser.on_site                          login     403       200       200       200       403
organiser.on_site_counts                   login     403       200       200       200       403
organiser.export_not_arrived               login     403       400       400       400       403
organiser.download_certificates            login     403       409       409       409       403
organiser.download_badges                  login     403       400       400       403       403
organiser.letters                          login     403       200       403       403       403
organiser.download_letter                  login     403       404       403       403       403
organiser.withdraw_letter                  login     403       404       403       403       403
organiser.reissue_letter                   login     403       404       403       403       403
organiser.programme                        login     403       200       200       200       403
organiser.publish_programme                login     403       >editor   403       403       403
organiser.new_session                      login     403       200       403       403       403
organiser.edit_session                     login     403       404       404       404       403
organiser.delete_session                   login     403       404       403       403       403
organiser.rooms                            login     403       200       200       200       403
organiser.new_room                         login     403       200       403       403       403
organiser.edit_room                        login     403       404       404       404       403
organiser.delete_room                      login     403       404       403       403       403
organiser.tracks                           login     403       200       200       200       403
organiser.new_track                        login     403       200       403       403       403
organiser.edit_track                       login     403       404       404       404       403
organiser.delete_track                     login     403       404       403       403       403
organiser.speakers                         login     403       200       200       200       403
organiser.new_speaker                      login     403       200       403       403       403
organiser.edit_speaker                     login     403       404       404       404       403
organiser.delete_speaker                   login     403       404       403       403       403
organiser.imports                          login     403       200       403       403       403
organiser.registration_invitations         login     403       200       200       200       403
organiser.invite_to_register               login     403       400       403       403       403
organiser.withdraw_registration_invitation login     403       404       403       403       403
organiser.team                             login     403       200       403       403       403
organiser.invite_team_member               login     403       400       403       403       403
organiser.withdraw_team_invitation         login     403       404       403       403       403
organiser.change_team_member_role          login     403       400       403       403       403
organiser.remove_team_member               login     403       400       403       403       403
organiser.audit_log                        login     403       200       200       200       403
check_in.desk                              login     403       200       403       403       200
check_in.scan_badge                        login     403       400       403       403       400
check_in.offline_copy                      login     403       410       403       403       410
check_in.sync_check_ins                    login     403       400       403       403       400
check_in.service_worker                    login     403       200       403       403       200
accounts.team_invitation                   400       400       400       400       400       400
"""
LOGIN = "login"
PLACES = {
    "index": "/",  # the site's front page
    "event": "/vgt-2014/",  # the event's page
    "home": "/account/",  # the account's page
    "login": "/account/login",  # the log-in form, with nowhere to go afterwards
    "register": "/vgt-2014/register",  # the registration form
    "own": "/vgt-2014/registration",  # the delegate's own registration
    "list": "/vgt-2014/organiser/registrations",  # the back office's registration list
    "editor": "/vgt-2014/organiser/programme",  # the programme editor
    "desk": "/vgt-2014/check-in/",  # the check-in desk
    "detail": "/vgt-2014/organiser/registrations/{reference}",  # the one the request acted on
}


def read_access_table(text: str) -> tuple[list[str], dict[str, dict[str, int | str]]]:
    """The table's roles (its column names), and for each endpoint each role's expected answer."""
    (_, *roles), *rows = (line.split() for line in text.strip().splitlines())
    expected = {}
    for endpoint, *answers in rows:
        assert len(answers) == len(roles), f"{endpoint}: {len(answers)} answers, {len(roles)} roles"
        for answer in answers:
            assert answer.isdigit() or answer == LOGIN or answer[1:] in PLACES, (endpoint, answer)
        expected[endpoint] = {
            role: int(answer) if answer.isdigit() else answer
            for role, answer in zip(roles, answers, strict=True)
        }
    return roles, expected


ROLES, EXPECTED = read_access_table(ACCESS)
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
        # None of these exist: a 404 for those allowed in.
        "session_id": "999999",
        "room_id": "999999",
        "track_id": "999999",
        "speaker_id": "999999",
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
