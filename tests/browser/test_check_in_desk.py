"""The check-in desk in a real browser when the venue's network drops: two desks check people in
offline, then send what they recorded, and the server has each delegate checked in once, at
the earliest time a desk saw them."""

import re
from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from conference.check_in import views
from conference.extensions import db
from conference.local_time import local_date
from conference.models import AuditEntry, CheckIn, Event, utcnow
from conference.services.on_site import badges
from conference.services.on_site.desk_sync import MAX_BATCH
from tests.browser.conftest import Screenshots, phone_sized
from tests.factories import PASSWORD, approved, current_code, make_event, make_organiser

pytestmark = pytest.mark.browser

DESK = "/vgt-2014/check-in/"
PHONE = {"width": 360, "height": 800}
# Resolves once the desk's service worker controls the page (the page's CSP allows no eval,
# so this waits on the worker's own events rather than polling an expression).
CONTROLLED = """() => navigator.serviceWorker.ready.then(() => navigator.serviceWorker.controller
  || new Promise(resolve => navigator.serviceWorker.addEventListener("controllerchange", resolve)))
  .then(() => true)"""


@pytest.fixture
def app_settings() -> dict:
    return {"WTF_CSRF_ENABLED": True}


@pytest.fixture
def delegates(live_server) -> dict[str, tuple[int, str]]:
    """Three approved delegates of an event on today, by name: their id and badge token."""
    with live_server.app.app_context():
        today = local_date(utcnow(), "Europe/Amsterdam")
        event = make_event(starts_on=today, ends_on=today + timedelta(days=1))
        for email in ("anna.staff@politie.example", "bram.staff@politie.example"):
            make_organiser(event, email, role="check_in")
        people = {}
        for name, needs in [
            ("Amal Haddad", "Wheelchair user: step-free entrance"),
            ("Ben Okafor", ""),
            ("Carla Mendes", ""),
        ]:
            registration = approved(event, f"{name.split()[0].lower()}@police.example")
            registration.user.name = name
            registration.accessibility_needs = needs
            badge = badges.badge_of(registration, actor=None)
            people[name] = (registration.id, badges.token_of(badge))
        db.session.commit()
        return people


def open_desk(open_page, email: str) -> Page:
    page = open_page()
    page.goto("/account/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_label("Code").fill(current_code())
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(DESK)
    # The service worker keeps the page, and the desk has its copy of the delegates.
    page.evaluate(CONTROLLED)
    expect(page.locator("#desk-network")).to_contain_text("offline copy of 3 delegates")
    return page


def scan(page: Page, token: str) -> None:
    """What a USB scanner does: it types the badge's code into the field and presses Enter."""
    page.locator("#code").fill(token)
    page.locator("#code").press("Enter")


def queued_times(page: Page) -> list[str]:
    return page.evaluate(
        "Object.keys(localStorage).filter(k => k.endsWith(':queue'))"
        ".flatMap(k => JSON.parse(localStorage.getItem(k))).map(item => item.at)"
    )


def test_two_offline_desks_check_each_delegate_in_once_at_the_earliest_time(
    live_server, open_page, delegates
):
    shots = Screenshots("check-in-desk")
    amal, ben, carla = (delegates[n][1] for n in ("Amal Haddad", "Ben Okafor", "Carla Mendes"))
    desk_a = open_desk(open_page, "anna.staff@politie.example")
    desk_b = open_desk(open_page, "bram.staff@politie.example")
    answer_a = desk_a.locator("#desk-answer")

    # The desk as a volunteer opens it on their phone, online.
    with phone_sized(desk_a, PHONE):
        shots.take(desk_a, "phone online")

    # The Wi-Fi drops. Desk B sees Carla first.
    desk_b.context.set_offline(True)
    expect(desk_b.locator("#desk-network")).to_contain_text("Offline: 0 check-ins waiting")
    scan(desk_b, carla)
    expect(desk_b.locator("#desk-answer")).to_contain_text("Checked in (offline")
    expect(desk_b.locator("#desk-network")).to_contain_text("Offline: 1 check-in waiting")
    [carla_at_desk_b] = queued_times(desk_b)

    # Desk A opens its page again without a network: the service worker has kept it.
    desk_a.context.set_offline(True)
    desk_a.reload()
    expect(desk_a.get_by_role("heading", name="Check-in desk")).to_be_visible()
    expect(desk_a.locator("#desk-network")).to_contain_text("Offline: 0 check-ins waiting")
    scan(desk_a, amal)
    expect(answer_a).to_contain_text("Amal Haddad")
    expect(answer_a).to_contain_text("Wheelchair user: step-free entrance")
    # The desk read them with Amal's badge: its copy holds them sealed, never as text.
    assert "step-free" not in desk_a.evaluate("JSON.stringify(localStorage)")
    scan(desk_a, ben)
    expect(answer_a).to_contain_text("Ben Okafor")
    scan(desk_a, carla)
    expect(answer_a).to_contain_text("Carla Mendes")
    scan(desk_a, amal)  # Amal comes back through the entrance
    expect(answer_a).to_contain_text("Already checked in today at")
    # Scan after scan, the desk's button stays ready (no double-submit guard greys it out).
    expect(desk_a.get_by_role("button", name="Check in", exact=True)).not_to_have_class(
        re.compile("disabled")
    )
    scan(desk_a, "B" * 26)  # a badge not in the copy: refused now, audited once back online
    expect(answer_a).to_contain_text("Not a valid badge in this desk's copy")
    expect(desk_a.locator("#desk-network")).to_contain_text(
        "Offline: 3 check-ins waiting to be sent."
    )
    with phone_sized(desk_a, PHONE):
        shots.take(desk_a, "phone offline")

    # The network is back: desk B sends first, then desk A, which is told Carla was earlier.
    desk_b.context.set_offline(False)
    expect(desk_b.locator("#desk-network")).to_contain_text("Online · offline copy")
    desk_a.context.set_offline(False)
    expect(desk_a.locator("#desk-network")).to_contain_text("Online · offline copy")
    expect(desk_a.locator("#desk-conflicts")).to_contain_text(
        "Carla Mendes: another desk saw them first. Already checked in"
    )
    shots.take(desk_a, "desktop back online")
    scan(desk_a, "A" * 26)  # a badge nobody issued: refused, in red, by the server
    expect(answer_a).to_contain_text("✗ Refused")
    expect(answer_a).to_contain_text("Unknown badge or reference")
    shots.take(desk_a, "desktop refused")

    with live_server.app.app_context():
        arrivals = db.session.execute(sa.select(CheckIn.registration_id, CheckIn.checked_in_at))
        times = dict(arrivals.all())
        refusals = db.session.scalars(
            sa.select(AuditEntry.details).where(AuditEntry.action == "check_in.refused")
        ).all()
    assert sorted(times) == sorted(delegate_id for delegate_id, _ in delegates.values())
    assert sorted(r["reason"] for r in refusals) == ["offline", "unknown"]
    carla_id = delegates["Carla Mendes"][0]
    assert times[carla_id] == datetime.fromisoformat(carla_at_desk_b)


def test_a_desk_forgets_its_copy_once_the_event_is_over(live_server, open_page, delegates):
    page = open_desk(open_page, "anna.staff@politie.example")
    assert copies_kept(page) == 1
    with live_server.app.app_context():
        event = db.session.scalars(sa.select(Event)).one()
        event.starts_on -= timedelta(days=3)
        event.ends_on -= timedelta(days=3)
        db.session.commit()

    page.reload()

    expect(page.locator("#desk-network")).to_contain_text(
        "is over: the desk keeps no copy of its delegates."
    )
    assert copies_kept(page) == 0


def copies_kept(page: Page) -> int:
    return page.evaluate("Object.keys(localStorage).filter(k => k.endsWith(':copy')).length")


def test_an_offline_desk_on_the_second_day_lets_in_who_came_on_the_first(
    live_server, open_page, delegates
):
    ben = delegates["Ben Okafor"][1]
    page = open_desk(open_page, "anna.staff@politie.example")
    answer = page.locator("#desk-answer")
    scan(page, ben)  # online, on the first day: the copy learns of it
    expect(answer).to_contain_text("✓ Checked in")

    # The network drops overnight; the desk opens again the next morning with its old copy.
    page.context.set_offline(True)
    expect(page.locator("#desk-network")).to_contain_text("Offline: 0 check-ins waiting")
    tomorrow = local_date(utcnow(), "Europe/Amsterdam") + timedelta(days=1)
    page.clock.set_fixed_time(datetime.combine(tomorrow, time(9), ZoneInfo("Europe/Amsterdam")))
    scan(page, ben)

    expect(answer).to_contain_text("Checked in (offline: sent when the network is back).")
    scan(page, ben)
    expect(answer).to_contain_text("Already checked in today at 09:00 by this desk.")


def queue_of(page: Page) -> list[dict]:
    return page.evaluate(
        "Object.keys(localStorage).filter(k => k.endsWith(':queue'))"
        ".flatMap(k => JSON.parse(localStorage.getItem(k)))"
    )


def test_a_desk_back_online_sends_a_long_queue_in_batches(live_server, open_page, delegates):
    page = open_desk(open_page, "anna.staff@politie.example")
    page.context.set_offline(True)
    expect(page.locator("#desk-network")).to_contain_text("Offline: 0 check-ins waiting")
    # A morning offline at a busy entrance: more check-ins than one sync takes.
    page.evaluate(
        """([size]) => {
          const key = Object.keys(localStorage).find(k => k.endsWith(":copy"));
          const people = JSON.parse(localStorage.getItem(key)).people;
          const at = new Date().toISOString();
          const queue = Array.from({length: size}, (_, n) => {
            const person = people[n % people.length];
            return {id: "item-" + n, badge: person.badge, at: at, session: null, person: person};
          });
          localStorage.setItem(key.replace(/copy$/, "queue"), JSON.stringify(queue));
        }""",
        [MAX_BATCH + 1],
    )
    page.reload()
    expect(page.locator("#desk-network")).to_contain_text(f"Offline: {MAX_BATCH + 1} check-ins")

    page.context.set_offline(False)

    expect(page.locator("#desk-network")).to_contain_text("Online · offline copy")
    assert queue_of(page) == []
    with live_server.app.app_context():
        sent = db.session.scalars(
            sa.select(AuditEntry.action).where(AuditEntry.action.like("check_in.%"))
        ).all()
    assert sorted(set(sent)) == ["check_in.checked_in"] and len(sent) == 3


def test_an_online_scan_is_checked_in_at_the_servers_time_whatever_the_desks_clock(
    live_server, open_page, delegates
):
    page = open_desk(open_page, "anna.staff@politie.example")
    page.clock.set_fixed_time(utcnow() + timedelta(minutes=6))  # the laptop runs fast

    scan(page, delegates["Amal Haddad"][1])

    expect(page.locator("#desk-answer")).to_contain_text("✓ Checked in")
    with live_server.app.app_context():
        [checked_in_at] = db.session.scalars(sa.select(CheckIn.checked_in_at)).all()
    assert checked_in_at <= utcnow()


# A new release: the desk's worker, asked to look for one as on a visit online, finds it; once
# the new one is activated (its old caches deleted), the caches the desk keeps.
NEW_WORKER = """() => navigator.serviceWorker.getRegistration().then(registration =>
  registration.update().then(() => {
    const worker = registration.installing || registration.waiting || registration.active;
    return new Promise(resolve => {
      const done = () => { if (worker.state === "activated") { resolve(); } };
      worker.addEventListener("statechange", done);
      done();
    });
  })).then(() => caches.keys())"""


def test_a_new_release_of_the_desks_files_reaches_the_desk_and_the_old_cache_goes(
    live_server, open_page, delegates, monkeypatch
):
    page = open_desk(open_page, "anna.staff@politie.example")
    [first] = page.evaluate("caches.keys()")
    monkeypatch.setattr(views, "files_version", lambda static_folder: "release-2")

    caches_kept = page.evaluate(NEW_WORKER)

    assert first.startswith("check-in-desk-") and caches_kept == ["check-in-desk-release-2"]
    kept_script = page.evaluate(
        "caches.open('check-in-desk-release-2').then(c => c.match('/static/js/desk.js'))"
        ".then(r => r.text())"
    )
    assert kept_script == (Path(live_server.app.static_folder) / "js/desk.js").read_text()
