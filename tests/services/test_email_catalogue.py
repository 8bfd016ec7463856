"""The catalogue of emails: every email in English and Dutch, each with a text and an HTML part
that say the same, in the delegate's language, in the event's own words, and never a template
language in an organiser's text."""

import re
from datetime import date
from pathlib import Path

import lxml.html
import pytest
import sqlalchemy as sa

from conference.extensions import db
from conference.models import EMAIL_LANGUAGES, EmailTemplate, OutboxEmail, TeamRole
from conference.services.errors import InvalidEmailText
from conference.services.mail import email_templates, sending
from conference.services.mail.catalogue import KINDS, default_text
from conference.services.mail.rendering import check_email_text, placeholders_in, render_email
from conference.services.on_site.visa_letters import give_details, reissue_letter
from conference.services.people import accounts, team
from conference.services.registration import workflow
from tests.environment import audited
from tests.factories import (
    details,
    make_event,
    make_organiser,
    make_user,
    register,
    while_registration_is_open,
)
from tests.on_site_helpers import PASSPORT, asked_for_letter, letter_worded

EMAILS = Path(__file__).parents[2] / "templates" / "emails"
LANGUAGES = sorted(EMAIL_LANGUAGES)


def emails_to(address: str) -> list[OutboxEmail]:
    return db.session.scalars(
        sa.select(OutboxEmail).where(OutboxEmail.recipient == address).order_by(OutboxEmail.id)
    ).all()


def every_value(key: str, language: str, event) -> dict:
    """A value for each placeholder the email offers, as a real sending fills them."""
    samples = email_templates._sample(event, language)
    return {p.name: samples.get(p.name, f"value of {p.name}") for p in KINDS[key].placeholders}


# --- every email, both languages, both parts ----------------------------------------------------


def test_every_default_file_is_an_email_of_the_catalogue_in_both_languages(app):
    for language in LANGUAGES:
        files = {path.stem for path in (EMAILS / language).glob("*.txt")}
        assert files == set(KINDS), language
    # The fixed Jinja files are gone: every email's words are the catalogue's.
    assert {path.name for path in EMAILS.glob("*.txt")} == set()


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("key", sorted(KINDS))
def test_every_default_uses_only_its_placeholders_and_the_same_in_both_languages(
    app, key, language
):
    subject, body = default_text(key, language)
    check_email_text(subject, body, KINDS[key].placeholders)
    assert "{{" not in body and "{%" not in body
    english = set(placeholders_in(" ".join(default_text(key, "en"))))
    assert set(placeholders_in(subject + body)) == english


def words(text: str) -> list[str]:
    return re.findall(r"\w+", text)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("key", sorted(KINDS))
def test_every_email_has_a_subject_a_text_part_and_an_html_part_that_say_the_same(
    app, event, key, language
):
    registration = register(event, "anna@police.example")
    kind = KINDS[key]
    email = sending.render(
        key,
        language,
        event=event,
        registration=None if kind.about_an_account else registration,
        values=every_value(key, language, event),
    )

    assert email.subject and "\n" not in email.subject
    for part in (email.subject, email.text, email.html):
        assert "{" not in part and "}" not in part
    page = lxml.html.document_fromstring(email.html)
    assert page.get("lang") == language
    paragraphs = page.findall(".//p")
    assert len(paragraphs) >= 2
    assert page.findtext(".//title") == email.subject
    body_text = " ".join(p.text_content() for p in paragraphs)
    assert words(body_text) == words(email.text)
    for link in re.findall(r"http://localhost/\S+", email.text):
        assert link in {a.get("href") for a in page.iter("a")}, link


def test_the_dutch_words_are_dutch(app, event):
    registration = register(event, "anna@police.example")
    email = sending.render("registration_approved", "nl", event=event, registration=registration)
    assert email.subject == f"VGT 2014: uw registratie {registration.reference} is goedgekeurd"
    assert "Beste anna," in email.text
    assert "5 en 6 november 2014" in email.text


# --- escaping, and no template language ---------------------------------------------------------


def test_a_name_with_markup_is_escaped_in_the_html_part_and_as_it_is_in_the_text(app, event):
    registration = register(event, "anna@police.example")
    registration.user.name = "<script>alert(1)</script> & Co"
    workflow.approve_registration(registration, actor=None)

    email = emails_to("anna@police.example")[-1]
    assert "Dear <script>alert(1)</script> & Co," in email.body_text
    assert "<script>" not in email.body_html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co" in email.body_html
    page = lxml.html.document_fromstring(email.body_html)
    assert page.find(".//script") is None


@pytest.mark.parametrize(
    "body",
    ["Dear {{ 7*7 }}", "{% for x in range(3) %}x{% endfor %}", "{__class__}", "{name.__class__}"],
)
def test_a_template_language_in_an_organisers_text_is_refused_on_save(app, event, body):
    organiser = make_organiser(event)
    with pytest.raises(InvalidEmailText, match="There is no placeholder"):
        email_templates.save_template(
            event, "registration_approved", "en", "Approved", body, actor=organiser
        )
    assert db.session.scalars(sa.select(EmailTemplate)).all() == []


def test_a_template_language_is_never_evaluated_but_sent_as_written(app):
    email = render_email(
        "{{ 7*7 }}", "{{ 7*7 }} {% if true %}yes{% endif %} {__class__} {{name}}", {"name": "Ann"}
    )
    assert "49" not in email.text + email.subject
    assert "{% if true %}yes{% endif %} {__class__}" in email.text
    assert "{Ann}" in email.text  # only the braces of a placeholder are replaced, never run


def test_an_unknown_placeholder_is_refused_with_the_usable_ones(app, event):
    organiser = make_organiser(event)
    with pytest.raises(InvalidEmailText) as refused:
        email_templates.save_template(
            event, "workshop_confirmed", "en", "Place", "Dear {first_name}", actor=organiser
        )
    assert "There is no placeholder {first_name} in this email" in refused.value.message
    assert "{workshop}" in refused.value.message and "{name}" in refused.value.message
    assert refused.value.field == "body"


def test_a_subject_with_a_line_break_is_refused(app, event):
    organiser = make_organiser(event)
    with pytest.raises(InvalidEmailText, match="one line") as refused:
        email_templates.save_template(
            event, "registration_approved", "en", "Hi\r\nBcc: x@evil.example", "Hi", actor=organiser
        )
    assert refused.value.field == "subject"


# --- the event's own words, and back to the default ---------------------------------------------


def test_the_event_sends_its_own_words_and_the_default_once_they_are_reset(app, event):
    organiser = make_organiser(event)
    email_templates.save_template(
        event,
        "registration_received",
        "en",
        "{event_short}: thank you, {name}",
        "We have your registration {reference}.\n\n{vetting}",
        actor=organiser,
    )
    first = register(event, "anna@police.example")
    assert emails_to("anna@police.example")[-1].subject == "VGT 2014: thank you, anna"
    assert f"We have your registration {first.reference}." in (
        emails_to("anna@police.example")[-1].body_text
    )
    assert [e.details["kind"] for e in audited("email_template.saved")] == ["registration_received"]

    assert email_templates.reset_template(event, "registration_received", "en", actor=organiser)
    register(event, "ben@police.example")
    assert "we have received your registration" in emails_to("ben@police.example")[-1].subject
    assert len(audited("email_template.reset")) == 1
    assert not email_templates.reset_template(event, "registration_received", "en", actor=organiser)


def test_another_events_words_are_not_sent(app, event):
    other = make_event(slug="vgt-2015")
    email_templates.save_template(
        other, "registration_received", "en", "Other words", "Other words", actor=make_user()
    )
    register(event, "anna@police.example")
    assert "we have received" in emails_to("anna@police.example")[-1].subject


# --- the delegate's language --------------------------------------------------------------------


def test_a_dutch_delegate_gets_every_email_about_their_registration_in_dutch(app, event):
    delegate = make_user("anouk@politie.example", name="Anouk")
    delegate.locale = "nl"
    registration = workflow.submit_registration(
        event, delegate, details(), now=while_registration_is_open(event)
    )
    workflow.approve_registration(registration, actor=None)
    workflow.cancel_registration(registration, actor=delegate)

    subjects = [email.subject for email in emails_to("anouk@politie.example")]
    assert subjects == [
        f"VGT 2014: wij hebben uw registratie {registration.reference} ontvangen",
        f"VGT 2014: uw registratie {registration.reference} is goedgekeurd",
        f"VGT 2014: uw registratie {registration.reference} is geannuleerd",
    ]
    assert all("Beste Anouk," in email.body_text for email in emails_to(delegate.email))
    assert all('<html lang="nl">' in email.body_html for email in emails_to(delegate.email))


def test_a_dutch_organisers_edited_dutch_words_reach_a_dutch_delegate_only(app, event):
    organiser = make_organiser(event)
    email_templates.save_template(
        event, "registration_received", "nl", "Ontvangen: {reference}", "Dank u.", actor=organiser
    )
    dutch = make_user("anouk@politie.example")
    dutch.locale = "nl"
    english = register(event, "anna@police.example")
    anouk = workflow.submit_registration(
        event, dutch, details(), now=while_registration_is_open(event)
    )
    assert emails_to(dutch.email)[-1].subject == f"Ontvangen: {anouk.reference}"
    assert "we have received" in emails_to("anna@police.example")[-1].subject
    assert english.user.locale == "en"


def test_the_language_of_an_account_is_changed_and_audited(app):
    user = make_user()
    accounts.change_language(user, "nl")
    assert user.locale == "nl"
    [entry] = audited("user.changed_language")
    assert entry.details == {"previous": "en", "language": "nl"}
    accounts.change_language(user, "nl")  # the same again changes nothing
    assert len(audited("user.changed_language")) == 1


def test_sign_up_writes_in_the_language_asked_for(app):
    user = accounts.sign_up("Anouk", "anouk@politie.example", "a long enough password", None, "nl")
    assert user.locale == "nl"
    assert emails_to("anouk@politie.example")[-1].subject == "Bevestig uw e-mailadres"
    unknown = accounts.sign_up(
        "Jean", "jean@gendarmerie.example", "a long enough password", None, "fr"
    )
    assert unknown.locale == "en"


# --- the workshop, team and invitation emails ---------------------------------------------------


def test_a_rejection_says_whether_a_place_was_withdrawn_and_the_reason_if_one_is_given(app, event):
    organiser = make_organiser(event)
    first = register(event, "anna@police.example")
    workflow.reject_registration(first, actor=organiser, reason="")
    text = emails_to("anna@police.example")[-1].body_text
    assert "could not accept your registration" in text and "The reason" not in text
    assert "\n\n\n" not in text


def test_a_team_invitation_names_the_role_in_the_recipients_language(app, event):
    organiser = make_organiser(event)
    dutch = make_user("joost@politie.example")
    dutch.locale = "nl"
    team.invite_member(event, dutch.email, TeamRole.MODERATOR, actor=organiser)
    team.invite_member(event, "kim@fbi.example", TeamRole.CHECK_IN, actor=organiser)
    assert f"{organiser.name} nodigt u uit om als moderator" in emails_to(dutch.email)[-1].body_text
    english = emails_to("kim@fbi.example")[-1].body_text
    assert f"{organiser.name} invites you to help run" in english and "as check-in staff" in english


# --- the letter is ready ------------------------------------------------------------------------


def test_an_issued_and_a_reissued_letter_each_tell_the_delegate_it_is_ready(app, event):
    letter_worded(event)
    registration = asked_for_letter(event, "siriporn@dsi.example")
    letter = give_details(registration, PASSPORT, actor=registration.user)
    give_details(registration, PASSPORT, actor=registration.user)  # the same again: no new one

    ready = [e for e in emails_to("siriporn@dsi.example") if e.kind == "letter_ready"]
    assert len(ready) == 1
    assert (
        ready[0].subject
        == f"VGT 2014: your visa invitation letter is ready ({registration.reference})"
    )
    assert letter.reference in ready[0].body_text
    assert "http://localhost/vgt-2014/registration" in ready[0].body_text
    assert ready[0].registration_id == registration.id

    new = reissue_letter(letter, actor=make_organiser(event), reason="Typo in the name")
    ready = [e for e in emails_to("siriporn@dsi.example") if e.kind == "letter_ready"]
    assert len(ready) == 2 and new.reference in ready[1].body_text


# --- the account emails' event ------------------------------------------------------------------


def test_an_account_email_uses_the_event_of_where_the_person_was_going(app, event):
    other = make_event(slug="vgt-2015")
    assert sending.account_event(None, "/vgt-2015/register") == other
    assert sending.account_event(None, "/vgt-2014/organiser/registrations?page=2") == event
    assert sending.account_event(None, "/no-such-event/register") is None


def test_else_the_event_of_the_latest_registration_or_team_role(app, event):
    other = make_event(slug="vgt-2015")
    registration = register(event, "anna@police.example")
    assert sending.account_event(registration.user) == event
    make_organiser(other, "anna@police.example")  # a team role since: newer
    assert sending.account_event(registration.user) == other


def test_else_the_next_event_and_else_the_default_words(app, event):
    future = make_event(slug="vgt-2030", starts_on=date(2030, 11, 5), ends_on=date(2030, 11, 6))
    newcomer = make_user("new@police.example")
    assert sending.account_event(newcomer, today=date(2020, 1, 1)) == future
    assert sending.account_event(newcomer, today=date(2014, 1, 1)) == event
    assert sending.account_event(newcomer, today=date(2031, 1, 1)) is None
    assert sending.render("verify_email", "en", event=None, values={"link": "x", "hours": "1"})


def test_a_password_reset_is_sent_in_the_words_of_the_delegates_event(app, event):
    email_templates.save_template(
        event,
        "reset_password",
        "en",
        "{site_name}: a new password",
        "Dear {name}, open {link} within {minutes} minutes.",
        actor=make_organiser(event),
    )
    register(event, "anna@police.example")
    accounts.request_password_reset("anna@police.example")
    email = emails_to("anna@police.example")[-1]
    assert email.subject == "VGT Conference: a new password"
    assert "Dear anna, open http://localhost/account/reset/" in email.body_text


def test_times_and_roles_are_written_the_way_each_language_writes_them(app):
    from conference.services.mail import phrases
    from tests.factories import local

    workshop = phrases.span(local(5, 13, 30), local(5, 15), "Europe/Amsterdam")
    assert workshop == {"en": "5 Nov 2014, 13:30–15:00 CET", "nl": "5 nov 2014, 13:30–15:00 CET"}
    assert phrases.moment(local(6, 9), "Europe/Amsterdam")["nl"] == "6 nov 2014, 09:00 CET"
    assert phrases.role(TeamRole.CHECK_IN) == {"en": "check-in staff", "nl": "incheckmedewerker"}
    assert phrases.vetting(make_event(slug="open", approval_required=False)) == {"en": "", "nl": ""}
