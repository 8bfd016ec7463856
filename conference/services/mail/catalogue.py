"""Every email the app sends, once: its key, what organisers call it, and the placeholders it
offers. Its default words, in each language, are `templates/emails/<language>/<key>.txt`: a
first line `Subject: ...`, then the text, with `{placeholder}`s and nothing else of a template
language.

Emails about a registration offer REGISTRATION_PLACEHOLDERS and may add their own; account
emails (`about_an_account`) have no registration, so they offer only their own values, and use
the words of the event chosen by `sending.account_event`.
"""

from dataclasses import dataclass
from functools import cache

from flask import current_app

from conference.services.mail.placeholders import EVENT_PLACEHOLDERS, REGISTRATION_PLACEHOLDERS
from conference.services.mail.rendering import Placeholder


@dataclass(frozen=True)
class EmailKind:
    key: str
    title: str  # what organisers call it, in the list of emails
    sent_when: str  # one sentence beside the editor
    placeholders: tuple[Placeholder, ...]
    about_an_account: bool = False  # sent about a person's account, not about one registration
    # Its words open something (a link to choose a password or confirm an address, a single-use
    # code, a team invitation): organisers see its subject and delivery, never its body, and a
    # data export leaves the body out.
    holds_a_key: bool = False

    @property
    def body_may_be_shown(self) -> bool:
        return not (self.holds_a_key or self.about_an_account)


VETTING = Placeholder(
    "vetting",
    "“The organisers vet every registration …” (a sentence; empty when the event approves "
    "without vetting)",
)
SITE_NAME = Placeholder("site_name", "The site's name (VGT Conference)")
NAME = Placeholder("name", "The person's name")
RESET_LINK = Placeholder("reset_link", "The link to choose a new password")
LOGIN_LINK = Placeholder("login_link", "The link to the log-in page")
WORKSHOP = (
    Placeholder("workshop", "The workshop's title"),
    Placeholder("when", "The workshop's day and times (5 Nov 2014, 13:30–15:00 CET)"),
    Placeholder("agenda_link", "The link to the delegate's agenda"),
)

_KINDS = (
    EmailKind(
        "registration_received",
        "Registration received",
        "Sent when a delegate registers.",
        (*REGISTRATION_PLACEHOLDERS, VETTING),
    ),
    EmailKind(
        "registration_approved",
        "Registration approved",
        "Sent when the organisers approve a registration.",
        REGISTRATION_PLACEHOLDERS,
    ),
    EmailKind(
        "registration_promoted",
        "Promoted from the waiting list",
        "Sent when a seat frees up and the first on the waiting list gets it.",
        REGISTRATION_PLACEHOLDERS,
    ),
    EmailKind(
        "registration_waitlisted",
        "On the waiting list",
        "Sent when a registration is put on the waiting list.",
        REGISTRATION_PLACEHOLDERS,
    ),
    EmailKind(
        "registration_rejected",
        "Registration rejected",
        "Sent when the organisers reject a registration, or withdraw an approved one.",
        (
            *REGISTRATION_PLACEHOLDERS,
            Placeholder(
                "decision",
                "“could not accept your registration”, or for a delegate who had a place "
                "“have withdrawn the place they had given you”",
            ),
            Placeholder(
                "reason",
                "“The reason: …” with the organisers' reason (a sentence; empty when they gave "
                "none)",
            ),
        ),
    ),
    EmailKind(
        "registration_cancelled",
        "Registration cancelled",
        "Sent when a delegate cancels their registration.",
        REGISTRATION_PLACEHOLDERS,
    ),
    EmailKind(
        "registration_imported",
        "Registered by the organisers",
        "Sent to each person of an imported list of registrations, if the organisers ask.",
        (
            *REGISTRATION_PLACEHOLDERS,
            VETTING,
            Placeholder(
                "password_step",
                "“First choose a password for your account here: …” (a sentence; empty for "
                "someone who has a password already)",
            ),
        ),
        holds_a_key=True,
    ),
    EmailKind(
        "event_invitation",
        "Invitation to register",
        "Sent when the organisers invite someone to register, with their single-use code.",
        (
            Placeholder("name", "The invited person's name"),
            Placeholder("code", "The invitation code"),
            Placeholder("link", "The link to the registration form, with the code filled in"),
            VETTING,
            *EVENT_PLACEHOLDERS,
        ),
        holds_a_key=True,
    ),
    EmailKind(
        "workshop_confirmed",
        "Workshop place confirmed",
        "Sent when a delegate gets a place in a workshop.",
        (*REGISTRATION_PLACEHOLDERS, *WORKSHOP),
    ),
    EmailKind(
        "workshop_waitlisted",
        "Workshop waiting list",
        "Sent when a workshop is full and a delegate is put on its waiting list.",
        (*REGISTRATION_PLACEHOLDERS, *WORKSHOP),
    ),
    EmailKind(
        "workshop_promoted",
        "Workshop place freed up",
        "Sent when a workshop place frees up and the first on its waiting list gets it.",
        (*REGISTRATION_PLACEHOLDERS, *WORKSHOP),
    ),
    EmailKind(
        "workshop_left",
        "Workshop left",
        "Sent when a delegate leaves a workshop.",
        (*REGISTRATION_PLACEHOLDERS, *WORKSHOP),
    ),
    EmailKind(
        "letter_ready",
        "Visa invitation letter ready",
        "Sent when a delegate's visa invitation letter is issued, or reissued by the organisers.",
        (
            *REGISTRATION_PLACEHOLDERS,
            Placeholder("letter_reference", "The letter's reference"),
        ),
    ),
    EmailKind(
        "reminder",
        "Reminder",
        "The words a new reminder starts with; each reminder can change them.",
        REGISTRATION_PLACEHOLDERS,
    ),
    EmailKind(
        "team_invitation",
        "Team invitation",
        "Sent when an organiser invites someone to the event's team.",
        (
            Placeholder("invited_by", "The name of the organiser who invites"),
            Placeholder("role", "The role offered (organiser, moderator …)"),
            Placeholder("link", "The link to join the team"),
            Placeholder("expires", "When the link stops working (3 Nov 2014, 10:30 CET)"),
            *EVENT_PLACEHOLDERS,
        ),
        holds_a_key=True,
    ),
    EmailKind(
        "verify_email",
        "Confirm the email address",
        "Sent at sign-up, to confirm the address.",
        (
            Placeholder("link", "The link that confirms the address"),
            Placeholder("hours", "For how many hours the link works"),
            SITE_NAME,
        ),
        about_an_account=True,
    ),
    EmailKind(
        "account_exists",
        "Sign-up with a known address",
        "Sent when someone signs up with an address that has an account already.",
        (NAME, LOGIN_LINK, RESET_LINK, SITE_NAME),
        about_an_account=True,
    ),
    EmailKind(
        "reset_password",
        "Password reset",
        "Sent when someone asks to reset their password.",
        (
            NAME,
            Placeholder("link", "The link to choose a new password"),
            Placeholder("minutes", "For how many minutes the link works"),
            SITE_NAME,
        ),
        about_an_account=True,
    ),
    EmailKind(
        "reset_password_no_account",
        "Password reset for an unknown address",
        "Sent when someone asks to reset the password of an address that has no account.",
        (Placeholder("signup_link", "The link to sign up"), SITE_NAME),
        about_an_account=True,
    ),
    EmailKind(
        "email_change_confirm",
        "New email address: confirm",
        "Sent to the new address when someone asks to log in with it from now on.",
        (
            Placeholder("link", "The link that confirms the new address"),
            Placeholder("hours", "For how many hours the link works"),
            SITE_NAME,
        ),
        about_an_account=True,
    ),
    EmailKind(
        "email_change_notice",
        "New email address: notice to the old one",
        "Sent to the old address when someone asks to change it.",
        (
            NAME,
            Placeholder("new_email", "The new address asked for"),
            RESET_LINK,
            Placeholder("account_link", "The link to the account page"),
            SITE_NAME,
        ),
        about_an_account=True,
    ),
    EmailKind(
        "email_change_address_taken",
        "New email address: it has an account",
        "Sent to the new address instead of a link when it has an account of its own.",
        (LOGIN_LINK, RESET_LINK, SITE_NAME),
        about_an_account=True,
    ),
    EmailKind(
        "login_alarm",
        "Many failed log-ins",
        "Sent when many log-ins to an account fail in a short time.",
        (NAME, RESET_LINK, SITE_NAME),
        about_an_account=True,
    ),
    EmailKind(
        "password_changed",
        "Password changed",
        "Sent when someone changes their password.",
        (NAME, RESET_LINK, SITE_NAME),
        about_an_account=True,
    ),
)

KINDS: dict[str, EmailKind] = {kind.key: kind for kind in _KINDS}


@cache
def _default_file(key: str, language: str) -> tuple[str, str]:
    source, _, _ = current_app.jinja_loader.get_source(
        current_app.jinja_env, f"emails/{language}/{key}.txt"
    )
    first_line, _, body = source.lstrip().partition("\n")
    if not first_line.startswith("Subject:"):
        raise ValueError(f"emails/{language}/{key}.txt must start with a Subject: line")
    return first_line.removeprefix("Subject:").strip(), body.strip() + "\n"


def default_text(key: str, language: str) -> tuple[str, str]:
    """The default (subject, body) of the email `key` in `language`."""
    return _default_file(KINDS[key].key, language)
