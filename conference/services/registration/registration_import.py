"""CSV import of registrations: a dry run that reports every bad row, then all rows or none.

The columns: name and email, then a column for each registration field declared importable
(`fields.FIELDS`), required where the field is: organisation, country, job_title, and
optionally dietary_needs, accessibility_needs, invitation_letter (yes/no). A column that is not
one of these refuses the file. The organisation is matched by name or short name to the event's
partners and host, and otherwise kept as typed; the country is an ISO 3166-1 alpha-2 code or an
English name. Imported people get an account they cannot log in to until they choose a password
("forgot password", which also proves their address) and a pending registration, which the
organisers then decide as any other. They gave no consent (to the directory, say), so none is
recorded. Invitees are imported by `services.registration.invitee_import`.
"""

import secrets
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from conference.extensions import db
from conference.models import Event, Organisation, Registration, User, utcnow
from conference.models import RegistrationStatus as Status
from conference.services.audit.writing import log_action
from conference.services.links import absolute_url
from conference.services.mail import phrases
from conference.services.mail.sending import send_email
from conference.services.people.accounts import normalise_email
from conference.services.registration import fields
from conference.services.registration.fields import RegistrationDetails
from conference.services.registration.people_csv import (
    ImportRefused,
    ImportReport,
    RowError,
    already_registered,
    country_code,
    decode,
    person_problems,
    read_rows,
    sentence,
)
from conference.services.registration.workflow import apply_details, lock_event, new_reference

# The columns: the person's, then those of every field declared importable.
IMPORTED_FIELDS = tuple(f for f in fields.FIELDS if f.importable)
REQUIRED_COLUMNS = ("name", "email", *(f.csv_column for f in IMPORTED_FIELDS if f.required))
OPTIONAL_COLUMNS = tuple(f.csv_column for f in IMPORTED_FIELDS if not f.required)
YES = {"yes", "y", "true", "1", "ja"}
NO = {"no", "n", "false", "0", "nee", ""}


@dataclass(frozen=True)
class ImportRow:
    """One good row, checked and ready to become an account and a registration."""

    line: int
    name: str
    email: str
    details: RegistrationDetails


def _partners(event: Event) -> dict[str, Organisation]:
    known = {}
    for link in event.organisations:
        organisation = link.organisation
        for name in (organisation.name, organisation.short_name):
            if name:
                known.setdefault(name.strip().casefold(), organisation)
    return known


def _read_answer(f: fields.RegistrationField, text: str, partners, values: dict, problems: list):
    """The cell of field `f` into `values` (its `RegistrationDetails`), or why it cannot be."""
    column, what = f.csv_column, f.label.lower()
    if f.required and not text:
        problems.append(f"the {what} is missing")
        return
    if f.max_length is not None and len(text) > f.max_length:
        problems.append(f"{what} is longer than {f.max_length} characters")
        return
    if f.kind == fields.Kind.ORGANISATION:
        partner = partners.get(text.casefold())
        values[f.name] = partner
        values[f"{f.name}_other"] = None if partner else text
    elif f.kind == fields.Kind.COUNTRY:
        code = country_code(text)
        if text and code is None:
            problems.append(f"unknown country “{text}”")
        values[f.name] = code or ""
    elif f.kind in fields.YES_NO_KINDS:
        if text.lower() not in YES | NO:
            problems.append(f"{column} must be yes or no")
        values[f.name] = text.lower() in YES
    else:
        values[f.name] = text


def _check(line: int, values: dict[str, str], partners, first_line_of: dict[str, int]):
    """The row's problems, or the row ready to import."""
    problems = person_problems(line, values, first_line_of)
    answers: dict = {}
    for f in IMPORTED_FIELDS:
        _read_answer(f, values.get(f.csv_column, ""), partners, answers, problems)
    if problems:
        return None, problems
    return ImportRow(
        line=line,
        name=values["name"],
        email=normalise_email(values["email"]),
        details=RegistrationDetails(**answers),
    ), []


def check_import(event: Event, data: bytes) -> ImportReport:
    """The dry run: read and check every row, change nothing.

    A file that cannot be read at all raises ImportRefused; otherwise the report lists every
    bad row with its line number and every reason, and the good rows.
    """
    records = read_rows(decode(data), REQUIRED_COLUMNS, OPTIONAL_COLUMNS, "registrations")
    partners = _partners(event)
    report = ImportReport()
    first_line_of: dict[str, int] = {}
    for line, values in records:
        row, problems = _check(line, values, partners, first_line_of)
        if row is None:
            report.errors.append(RowError(line, sentence(problems)))
        else:
            report.rows.append(row)
    registered = already_registered(event, [row.email for row in report.rows])
    for row in report.rows:
        if row.email in registered:
            report.errors.append(RowError(row.line, f"{row.email} is already registered."))
    report.rows = [row for row in report.rows if row.email not in registered]
    report.errors.sort(key=lambda error: error.line)
    return report


def _unusable_password() -> str:
    # Not an argon2 hash, so no password matches it; "forgot password" sets a real one.
    return "!imported:" + secrets.token_hex(16)


def import_registrations(
    event: Event, data: bytes, *, actor: User, notify: bool, now: datetime | None = None
) -> ImportReport:
    """Import every row of the file, or none: any bad row refuses the whole file.

    Each person gets an account unless they have one already, and a pending registration;
    they are emailed only when `notify`. The caller commits, or rolls back on ImportRefused.
    """
    now = now or utcnow()
    report = check_import(event, data)
    if not report.ok:
        raise ImportRefused(
            f"Nothing was imported: {len(report.errors)} of "
            f"{len(report.errors) + len(report.rows)} rows have errors. Fix them and try again.",
            report,
        )
    event = lock_event(event.id)  # as a delegate's sign-up does: one change to the event at once
    existing = {
        user.email: user
        for user in db.session.scalars(
            sa.select(User).where(User.email.in_([row.email for row in report.rows]))
        )
    }
    try:
        with db.session.begin_nested():
            for row in report.rows:
                _import_row(event, row, existing.get(row.email), actor, notify, now)
    except IntegrityError as error:  # someone registered or signed up since the check above
        raise ImportRefused(
            "Nothing was imported: someone in the file registered or signed up meanwhile. "
            "Check the file again."
        ) from error
    log_action(
        "registration.import",
        event,
        actor=actor,
        event_id=event.id,
        rows=len(report.rows),
        emailed=notify,
    )
    report.imported = True
    return report


def _import_row(event, row: ImportRow, user: User | None, organiser, notify, now) -> None:
    if user is None:
        user = User(email=row.email, name=row.name, password_hash=_unusable_password())
        db.session.add(user)
        db.session.flush()
        log_action("user.imported", user, actor=organiser, event_id=event.id)
    registration = Registration(
        event=event, user=user, reference=new_reference(event), status=Status.PENDING
    )
    apply_details(registration, row.details, now)  # what a file cannot say is left blank
    db.session.add(registration)
    db.session.flush()
    log_action(
        "registration.imported",
        registration,
        actor=organiser,
        event_id=event.id,
        reference=registration.reference,
        to_status=str(Status.PENDING),
        line=row.line,
    )
    if notify:
        send_email(
            "registration_imported",
            to=user,
            event=event,
            registration=registration,
            values={
                "vetting": phrases.vetting(event),
                "password_step": phrases.password_step(
                    absolute_url("accounts.request_password_reset"), needed=not user.is_verified
                ),
            },
        )
