"""An organiser learns on the dashboard that a delegate's approval never reached her, reads the
mail server's answer on Deliveries and on her registration's page, and sends it again."""

from datetime import timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from conference.extensions import db
from conference.models import DeliveryState, OutboxEmail, utcnow
from tests.browser.conftest import Screenshots, log_in
from tests.delivery_helpers import queued
from tests.factories import approved, make_event, make_organiser

pytestmark = pytest.mark.browser


@pytest.fixture
def app_settings() -> dict:
    return {"WTF_CSRF_ENABLED": True}


@pytest.fixture
def vgt_2014(live_server) -> str:
    """Anna Byrne's approval failed; the others' emails went, or wait for the worker."""
    with live_server.app.app_context():
        event = make_event()
        make_organiser(event)
        anna = approved(event, "anna.byrne@garda.example")
        anna.user.name = "Anna Byrne"
        start = utcnow() - timedelta(hours=6)
        queued(
            event,
            anna.user.email,
            registration=anna,
            user=anna.user,
            state=DeliveryState.SENT,
            kind="registration_received",
            subject=f"VGT 2014: we have received your registration {anna.reference}",
            at=start,
        )
        queued(
            event,
            anna.user.email,
            registration=anna,
            user=anna.user,
            state=DeliveryState.FAILED,
            subject=f"VGT 2014: your registration {anna.reference} is approved",
            at=start + timedelta(hours=1),
        )
        for n, name in enumerate(("kim.lee", "maria.santos", "jan.devries")):
            other = approved(event, f"{name}@police.example")
            other.user.name = name.replace(".", " ").title()
            queued(
                event,
                other.user.email,
                registration=other,
                user=other.user,
                state=DeliveryState.SENT if n else DeliveryState.WAITING,
                subject=f"VGT 2014: your registration {other.reference} is approved",
                at=start + timedelta(hours=2, minutes=n),
            )
        queued(
            event,
            "kim.lee@police.example",
            kind="reminder",
            subject="VGT 2014 starts in a week",
            state=DeliveryState.SENDING,
            at=start + timedelta(hours=3),
        )
        # Only the emails above: not those the approvals queued on their way.
        db.session.flush()
        db.session.execute(
            sa.delete(OutboxEmail).where(OutboxEmail.created_at > start + timedelta(hours=4))
        )
        db.session.commit()
        return anna.reference


def test_an_organiser_sees_a_failed_delivery_and_sends_it_again(vgt_2014, open_page):
    shots = Screenshots("deliveries")
    page = open_page()
    log_in(page, "organiser@politie.example", two_factor=True)
    page.goto("/vgt-2014/organiser/")
    warning = page.get_by_role("alert").filter(has_text="could not be delivered")
    expect(warning).to_contain_text("1 email could not be delivered")
    shots.take_at_both_widths(page, "dashboard warning")

    warning.get_by_role("link", name="Deliveries").click()
    expect(page.get_by_role("heading", name="Deliveries")).to_be_visible()
    failed = page.locator("tr.delivery-failed")
    expect(failed).to_have_count(1)
    expect(failed).to_contain_text("Anna Byrne")
    expect(failed).to_contain_text("The mail server said:")
    expect(failed).to_contain_text("5.1.1 Mailbox unavailable")
    page.get_by_role("link", name="All").click()
    expect(page.locator("tr.delivery")).to_have_count(6)
    shots.take_at_both_widths(page, "deliveries with a failed row")

    page.goto(f"/vgt-2014/organiser/registrations/{vgt_2014}")
    card = page.locator("section.emails-sent")
    expect(card).to_contain_text("is approved")
    expect(card).to_contain_text("Mailbox unavailable")
    card.scroll_into_view_if_needed()
    shots.take_at_both_widths(page, "registration emails card")

    card.get_by_role("link", name="All emails to anna.byrne@garda.example").click()
    expect(page.locator("tr.delivery")).to_have_count(2)
    page.get_by_role("button", name="Send the email to anna.byrne@garda.example again").click()
    expect(page.get_by_text("will be sent again in a moment")).to_be_visible()
    expect(page.locator("tr.delivery-failed")).to_have_count(0)
    expect(page.locator("tr.delivery-waiting")).to_have_count(1)
    shots.take(page, "sent again")

    page.goto("/vgt-2014/organiser/")
    expect(page.get_by_text("could not be delivered")).to_have_count(0)
