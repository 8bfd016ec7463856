"""The organisers' back office: the list, a registration, and the decisions."""

import sqlalchemy as sa

from conference.extensions import db
from conference.models import AuditEntry, OutboxEmail, Registration
from conference.models import RegistrationStatus as Status
from conference.services.registration import workflow
from tests.client import assert_redirects
from tests.environment import counting_queries
from tests.factories import make_event, make_organiser, register


def seed(event, count: int) -> list[Registration]:
    made = [
        register(event, f"delegate{n:03d}@police.example", job_title=f"Job {n}")
        for n in range(count)
    ]
    db.session.commit()
    return made


def status_of(registration: Registration) -> str:
    return db.session.scalar(
        sa.select(Registration.status).where(Registration.id == registration.id)
    )


def test_the_list_pages_through_registrations(client, auth, event, organiser):
    seed(event, 55)
    auth.login(organiser.email)
    first = client.get("/vgt-2014/organiser/registrations").text
    assert first.count('href="/vgt-2014/organiser/registrations/VGT14-') == 50
    assert "Showing 1–50 of 55." in first
    second = client.get("/vgt-2014/organiser/registrations?page=2").text
    assert second.count('href="/vgt-2014/organiser/registrations/VGT14-') == 5


def test_the_list_searches_name_email_and_organisation(client, auth, event, organiser):
    seed(event, 3)
    register(event, "zelda@garda.example", organisation_other="Garda Síochána")
    db.session.commit()
    auth.login(organiser.email)
    for query in ["zelda", "GARDA.example", "síochána"]:
        page = client.get("/vgt-2014/organiser/registrations", query_string={"q": query}).text
        assert "zelda@garda.example" in page, query
        assert "delegate000@police.example" not in page, query


def test_search_treats_wildcards_as_text(client, auth, event, organiser):
    seed(event, 2)
    auth.login(organiser.email)
    page = client.get("/vgt-2014/organiser/registrations", query_string={"q": "%"}).text
    assert "No registrations match." in page


def test_the_list_filters_by_status(client, auth, event, organiser):
    first, second = seed(event, 2)
    workflow.approve_registration(first, actor=organiser)
    db.session.commit()
    auth.login(organiser.email)
    page = client.get("/vgt-2014/organiser/registrations?status=approved").text
    assert first.user.email in page and second.user.email not in page


def test_a_bad_filter_is_a_400(client, auth, event, organiser):
    auth.login(organiser.email)
    assert client.get("/vgt-2014/organiser/registrations?status=bogus").status_code == 400
    assert client.get("/vgt-2014/organiser/registrations?page=abc").status_code in (200, 404)


def test_the_detail_page_shows_what_the_delegate_told_us(client, auth, event, organiser):
    [registration] = seed(event, 1)
    auth.login(organiser.email)
    page = client.get(f"/vgt-2014/organiser/registrations/{registration.reference}").text
    for shown in [
        registration.user.email,
        "Federal Police Cybercrime Unit",
        "Belgium",
        "Job 0",
        "Vegetarian",
        "Approve",
        "Put on waiting list",
        "Reject",
    ]:
        assert shown in page


def test_approve_from_the_detail_page(client, auth, event, organiser):
    [registration] = seed(event, 1)
    auth.login(organiser.email)
    response = client.post(f"/vgt-2014/organiser/registrations/{registration.reference}/approve")
    assert_redirects(response, to=f"/vgt-2014/organiser/registrations/{registration.reference}")
    assert status_of(registration) == Status.APPROVED
    page = client.get(response.headers["Location"]).text
    assert "is approved and will be told by email" in page
    entry = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "registration.approved")
    ).one()
    assert entry.actor_id == organiser.id
    assert entry.details["from_status"] == "pending"


def test_approving_past_the_capacity_is_refused_with_a_clear_message(client, auth, app):
    event = make_event(capacity=1)
    organiser = make_organiser(event)
    first, second = seed(event, 2)
    auth.login(organiser.email)
    client.post(f"/vgt-2014/organiser/registrations/{first.reference}/approve")
    response = client.post(f"/vgt-2014/organiser/registrations/{second.reference}/approve")
    assert response.status_code == 409
    assert "VGT 2014 is full: 1 of 1 places are approved." in response.text
    assert status_of(second) == Status.PENDING


def test_reject_needs_a_reason(client, auth, event, organiser):
    [registration] = seed(event, 1)
    auth.login(organiser.email)
    url = f"/vgt-2014/organiser/registrations/{registration.reference}/reject"
    response = client.post(url, data={"reason": "  "})
    assert response.status_code == 400
    assert 'id="reason-error"' in response.text
    assert status_of(registration) == Status.PENDING
    client.post(url, data={"reason": "Not working in child protection"})
    assert status_of(registration) == Status.REJECTED
    email = db.session.scalars(sa.select(OutboxEmail).order_by(OutboxEmail.id.desc())).first()
    assert "Not working in child protection" in email.body_text


def test_waitlist_then_a_rejection_of_an_approved_one_promotes(client, auth, app):
    event = make_event(capacity=1)
    organiser = make_organiser(event)
    seated, waiting = seed(event, 2)
    auth.login(organiser.email)
    client.post(f"/vgt-2014/organiser/registrations/{seated.reference}/approve")
    client.post(f"/vgt-2014/organiser/registrations/{waiting.reference}/waitlist")
    assert status_of(waiting) == Status.WAITLISTED
    client.post(
        f"/vgt-2014/organiser/registrations/{seated.reference}/reject",
        data={"reason": "Duplicate registration"},
    )
    assert status_of(seated) == Status.REJECTED
    assert status_of(waiting) == Status.APPROVED
    page = client.get(f"/vgt-2014/organiser/registrations/{waiting.reference}").text
    assert "Promoted" in page and "automatically" in page


def test_a_double_clicked_approval_approves_once(client, auth, event, organiser):
    [registration] = seed(event, 1)
    auth.login(organiser.email)
    url = f"/vgt-2014/organiser/registrations/{registration.reference}/approve"
    client.post(url)
    second = client.post(url)
    assert second.status_code == 409
    assert "is approved and cannot be approved" in second.text
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action == "registration.approved")
        )
        == 1
    )


def test_an_unknown_reference_is_a_404(client, auth, event, organiser):
    auth.login(organiser.email)
    assert client.get("/vgt-2014/organiser/registrations/VGT14-NOSUCH").status_code == 404
    assert client.post("/vgt-2014/organiser/registrations/VGT14-NOSUCH/approve").status_code == 404


def test_organisers_of_another_event_do_not_get_in(client, auth, event):
    [registration] = seed(event, 1)
    other = make_event(slug="other-2015")
    outsider = make_organiser(other, email="outsider@politie.example")
    db.session.commit()
    auth.login(outsider.email)
    assert client.get("/other-2015/organiser/registrations").status_code == 200
    assert client.get("/vgt-2014/organiser/registrations").status_code == 403
    response = client.post(f"/vgt-2014/organiser/registrations/{registration.reference}/approve")
    assert response.status_code == 403
    assert status_of(registration) == Status.PENDING
    # Nor can they reach it through their own event's URL.
    assert (
        client.get(f"/other-2015/organiser/registrations/{registration.reference}").status_code
        == 404
    )


def queries_to_load(client, path: str) -> int:
    with counting_queries() as statements:
        assert client.get(path).status_code == 200
    return len(statements)


def test_the_list_and_detail_pages_query_the_same_for_few_or_many(client, auth, event, organiser):
    seed(event, 3)
    auth.login(organiser.email)
    few = queries_to_load(client, "/vgt-2014/organiser/registrations")
    seed_more = [register(event, f"more{n:03d}@police.example") for n in range(60)]
    db.session.commit()
    assert queries_to_load(client, "/vgt-2014/organiser/registrations") == few
    detail = f"/vgt-2014/organiser/registrations/{seed_more[0].reference}"
    # its history, tags, notes, badges, consents, emails
    assert queries_to_load(client, detail) <= 13
