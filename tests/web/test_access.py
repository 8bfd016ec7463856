"""Walk every route in the app as anonymous, delegate and organiser: who gets in where.

A new route fails this test until it says here who may use it.
"""

import pytest

from conference.extensions import db
from tests.conftest import make_user, register

LOGIN = "login"  # a redirect to the login page

# endpoint: (method, anonymous, delegate, organiser)
EXPECTED = {
    "static": ("GET", 200, 200, 200),
    "public.index": ("GET", 302, 302, 302),
    "public.event": ("GET", 200, 200, 200),
    "accounts.signup": ("GET", 200, 302, 302),
    "accounts.login": ("GET", 200, 302, 302),
    "accounts.logout": ("POST", 302, 302, 302),
    "accounts.verify_email": ("GET", 400, 400, 400),
    "accounts.request_password_reset": ("GET", 200, 200, 200),
    "accounts.reset_password": ("GET", 400, 400, 400),
    "accounts.home": ("GET", LOGIN, 200, 200),
    "delegate.register": ("GET", LOGIN, 302, 200),
    "delegate.registration": ("GET", LOGIN, 200, 302),
    "delegate.edit_registration": ("GET", LOGIN, 200, 404),
    "delegate.cancel_registration": ("GET", LOGIN, 200, 404),
    "organiser.registrations_list": ("GET", LOGIN, 403, 200),
    "organiser.registration_detail": ("GET", LOGIN, 403, 200),
    "organiser.approve": ("POST", LOGIN, 403, 302),
    "organiser.waitlist": ("POST", LOGIN, 403, 302),
    "organiser.reject": ("POST", LOGIN, 403, 302),
}


@pytest.fixture
def world(app, event, organiser):
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
    return {"delegate": delegate, "own": own, "others": others, "organiser": organiser}


def url_for_rule(rule, world) -> str:
    other = world["others"].get(rule.endpoint, world["others"]["organiser.registration_detail"])
    values = {
        "event_slug": "vgt-2014",
        "reference": other.reference,
        "token": "not-a-valid-token",
        "filename": "css/app.css",
    }
    path = rule.rule
    for argument in rule.arguments:
        path = path.replace(f"<{argument}>", values[argument])
        path = path.replace(f"<path:{argument}>", values[argument])
    return path


def test_every_route_is_in_the_access_table(app):
    assert {rule.endpoint for rule in app.url_map.iter_rules()} == set(EXPECTED)


@pytest.mark.parametrize("role", ["anonymous", "delegate", "organiser"])
def test_every_route_lets_in_exactly_who_it_should(app, client, auth, world, role):
    if role == "delegate":
        # The delegate with a registration of their own.
        auth.login(world["own"].user.email)
    elif role == "organiser":
        auth.login(world["organiser"].email)
    column = {"anonymous": 1, "delegate": 2, "organiser": 3}[role]
    failures = []
    for rule in app.url_map.iter_rules():
        method, *answers = EXPECTED[rule.endpoint]
        expected = answers[column - 1]
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
        if rule.endpoint == "accounts.logout":  # log back in for the rest of the walk
            if role == "delegate":
                auth.login(world["own"].user.email)
            elif role == "organiser":
                auth.login(world["organiser"].email)
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
@pytest.mark.parametrize("role", ["anonymous", "delegate", "organiser"])
def test_no_route_fails_on_head_or_options(app, client, auth, world, role, method):
    if role != "anonymous":
        auth.login(world["own"].user.email if role == "delegate" else world["organiser"].email)
    failures = []
    for rule in app.url_map.iter_rules():
        response = client.open(url_for_rule(rule, world), method=method)
        response.close()
        if response.status_code >= 500:
            failures.append(f"{method} {rule.rule}: {response.status_code}")
        if EXPECTED[rule.endpoint][1 + ["anonymous", "delegate", "organiser"].index(role)] == 403:
            assert response.status_code in (403, 405), (method, rule.rule)
    assert failures == []
