"""CSV imports of registrations and of invitees: a dry run that reports every bad row, then an
import of all rows or none.

Registrations: the columns name, email, organisation, country, job_title, and optionally
dietary_needs, accessibility_needs, invitation_letter (yes/no). The organisation is matched by
name or short name to the event's partners and host, and otherwise kept as typed; the country is
an ISO 3166-1 alpha-2 code or an English name. Imported people get an account they cannot log in
to until they choose a password ("forgot password", which also proves their address) and a
pending registration, which the organisers then decide as any other. They gave no consent to the
participant list, so none is recorded.

Invitees: the columns name, email, and optionally organisation and country. Each gets an
invitation email with a code that registers once (`services.invitations`).
"""

import csv
import io
import secrets
from dataclasses import dataclass, field
from datetime import datetime

import pycountry
import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from sqlalchemy.exc import IntegrityError

from conference.extensions import db
from conference.models import Event, Invitation, Organisation, Registration, User, utcnow
from conference.models import RegistrationStatus as Status
from conference.services.accounts import normalise_email
from conference.services.audit import log_action
from conference.services.errors import DomainError
from conference.services.invitations import Invitee, invite
from conference.services.outbox import absolute_url, queue_email
from conference.services.registrations import CONSENT_VERSION, lock_event, new_reference

MAX_FILE_SIZE = 5 * 1024 * 1024
REQUIRED_COLUMNS = ("name", "email", "organisation", "country", "job_title")
OPTIONAL_COLUMNS = ("dietary_needs", "accessibility_needs", "invitation_letter")
INVITEE_REQUIRED_COLUMNS = ("name", "email")
INVITEE_OPTIONAL_COLUMNS = ("organisation", "country")
MAX_LENGTHS = {
    "name": 200,
    "organisation": 200,
    "job_title": 200,
    "dietary_needs": 500,
    "accessibility_needs": 500,
}
YES = {"yes", "y", "true", "1", "ja"}
NO = {"no", "n", "false", "0", "nee", ""}


class ImportRefused(DomainError):
    """The file cannot be read as the CSV asked for, or it has rows with errors."""

    status_code = 400

    def __init__(self, message: str, report: "ImportReport | None" = None):
        super().__init__(message)
        self.report = report


@dataclass(frozen=True)
class ImportRow:
    """One good row, checked and ready to become an account and a registration."""

    line: int
    name: str
    email: str
    organisation: Organisation | None
    organisation_other: str | None
    country: str
    job_title: str
    dietary_needs: str
    accessibility_needs: str
    invitation_letter_needed: bool


@dataclass(frozen=True)
class InviteeRow:
    """One good row of an invitee list, ready to be invited."""

    line: int
    invitee: Invitee


@dataclass(frozen=True)
class RowError:
    line: int  # the line in the file, the header being line 1
    reason: str


@dataclass
class ImportReport:
    rows: list[ImportRow | InviteeRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    imported: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


def _decode(data: bytes) -> str:
    if len(data) > MAX_FILE_SIZE:
        raise ImportRefused("The file is larger than 5 MB. Split it and import each part.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportRefused(
            "The file is not UTF-8 text. Save it from your spreadsheet as “CSV UTF-8”."
        ) from error
    if "\x00" in text:
        raise ImportRefused("This is not a CSV file. Save it from your spreadsheet as CSV.")
    return text


def _records(
    text: str, required: tuple[str, ...], optional: tuple[str, ...], noun: str
) -> list[tuple[int, dict[str, str]]]:
    """The file's rows as (line, {column: value}); a spreadsheet's semicolons work too."""
    first_line = text.partition("\n")[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = [column.strip().lower().replace(" ", "_") for column in next(reader, [])]
        missing = [column for column in required if column not in header]
        if missing:
            raise ImportRefused(
                "The first line must name the columns; missing: " + ", ".join(missing) + "."
            )
        unknown = [c for c in header if c and c not in required + optional]
        if unknown:
            raise ImportRefused("Unknown columns: " + ", ".join(unknown) + ".")
        records = []
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue  # blank lines, as spreadsheets leave at the end
            line = reader.line_num
            values = {column: "" for column in header}
            values.update({column: cell.strip() for column, cell in zip(header, row, strict=False)})
            if len(row) > len(header):
                values["_extra"] = "yes"
            records.append((line, values))
    except csv.Error as error:
        raise ImportRefused(f"This is not a readable CSV file (line {reader.line_num}).") from error
    if not records:
        raise ImportRefused(f"The file has no {noun} under its header line.")
    return records


def _country(value: str) -> str | None:
    if not value:
        return None
    found = pycountry.countries.get(alpha_2=value.upper()) if len(value) == 2 else None
    if found is None:
        try:
            found = pycountry.countries.lookup(value)
        except LookupError:
            return None
    return found.alpha_2


def _partners(event: Event) -> dict[str, Organisation]:
    known = {}
    for link in event.organisations:
        organisation = link.organisation
        for name in (organisation.name, organisation.short_name):
            if name:
                known.setdefault(name.strip().casefold(), organisation)
    return known


def _already_registered(event: Event, emails: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(emails), 500):
        found.update(
            db.session.scalars(
                sa.select(User.email)
                .join(Registration, Registration.user_id == User.id)
                .where(
                    Registration.event_id == event.id,
                    Registration.status != Status.CANCELLED,
                    User.email.in_(emails[start : start + 500]),
                )
            )
        )
    return found


def _person_problems(line: int, values: dict[str, str], first_line_of: dict[str, int]) -> list:
    """What is wrong with the row's name and email address, for either kind of file."""
    problems = []
    if values.get("_extra"):
        problems.append("more cells than the header has columns")
    if not values["name"]:
        problems.append("the name is missing")
    email = normalise_email(values["email"])
    if not email:
        problems.append("the email address is missing")
    else:
        try:
            validate_email(email, check_deliverability=False)
        except EmailNotValidError:
            problems.append(f"“{values['email']}” is not a valid email address")
        else:
            if email in first_line_of:
                problems.append(f"the email address is also on line {first_line_of[email]}")
            else:
                first_line_of[email] = line
    return problems


def _sentence(problems: list[str]) -> str:
    reason = "; ".join(problems)
    return reason[0].upper() + reason[1:] + "."


def _check(line: int, values: dict[str, str], partners, first_line_of: dict[str, int]):
    """The row's problems, or the row ready to import."""
    problems = _person_problems(line, values, first_line_of)
    email = normalise_email(values["email"])
    if not values["organisation"]:
        problems.append("the organisation is missing")
    country = _country(values["country"])
    if not values["country"]:
        problems.append("the country is missing")
    elif country is None:
        problems.append(f"unknown country “{values['country']}”")
    if not values["job_title"]:
        problems.append("the job title is missing")
    for column, limit in MAX_LENGTHS.items():
        if len(values.get(column, "")) > limit:
            problems.append(f"{column.replace('_', ' ')} is longer than {limit} characters")
    letter = values.get("invitation_letter", "").lower()
    if letter not in YES | NO:
        problems.append("invitation_letter must be yes or no")
    if problems:
        return None, problems
    organisation = partners.get(values["organisation"].casefold())
    return ImportRow(
        line=line,
        name=values["name"],
        email=email,
        organisation=organisation,
        organisation_other=None if organisation else values["organisation"],
        country=country,
        job_title=values["job_title"],
        dietary_needs=values.get("dietary_needs", ""),
        accessibility_needs=values.get("accessibility_needs", ""),
        invitation_letter_needed=letter in YES,
    ), []


def check_import(event: Event, data: bytes) -> ImportReport:
    """The dry run: read and check every row, change nothing.

    A file that cannot be read at all raises ImportRefused; otherwise the report lists every
    bad row with its line number and every reason, and the good rows.
    """
    records = _records(_decode(data), REQUIRED_COLUMNS, OPTIONAL_COLUMNS, "registrations")
    partners = _partners(event)
    report = ImportReport()
    first_line_of: dict[str, int] = {}
    for line, values in records:
        row, problems = _check(line, values, partners, first_line_of)
        if row is None:
            report.errors.append(RowError(line, _sentence(problems)))
        else:
            report.rows.append(row)
    registered = _already_registered(event, [row.email for row in report.rows])
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
    event: Event, data: bytes, *, organiser: User, notify: bool, now: datetime | None = None
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
                _import_row(event, row, existing.get(row.email), organiser, notify, now)
    except IntegrityError as error:  # someone registered or signed up since the check above
        raise ImportRefused(
            "Nothing was imported: someone in the file registered or signed up meanwhile. "
            "Check the file again."
        ) from error
    log_action(
        "registration.import",
        event,
        actor=organiser,
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
        event=event,
        user=user,
        reference=new_reference(event),
        status=Status.PENDING,
        organisation=row.organisation,
        organisation_other=row.organisation_other,
        country=row.country,
        job_title=row.job_title,
        dietary_needs=row.dietary_needs,
        accessibility_needs=row.accessibility_needs,
        invitation_letter_needed=row.invitation_letter_needed,
        consent_participant_list=False,
        consent_version=CONSENT_VERSION,
        consent_given_at=None,
    )
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
        queue_email(
            user.email,
            "registration_imported",
            registration=registration,
            event=event,
            needs_password=not user.is_verified,
            reset_link=absolute_url("accounts.request_password_reset"),
            link=absolute_url("delegate.registration", event_slug=event.slug),
        )


# --- invitees ---------------------------------------------------------------------------------


def _check_invitee(line: int, values: dict[str, str], first_line_of: dict[str, int]):
    problems = _person_problems(line, values, first_line_of)
    country = _country(values.get("country", ""))
    if values.get("country") and country is None:
        problems.append(f"unknown country “{values['country']}”")
    for column in ("name", "organisation"):
        if len(values.get(column, "")) > MAX_LENGTHS[column]:
            problems.append(f"{column} is longer than {MAX_LENGTHS[column]} characters")
    if problems:
        return None, problems
    invitee = Invitee(
        email=normalise_email(values["email"]),
        name=values["name"],
        organisation=values.get("organisation", ""),
        country=country,
    )
    return InviteeRow(line, invitee), []


def _open_invitations(event: Event, emails: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(emails), 500):
        found.update(
            db.session.scalars(
                sa.select(Invitation.email).where(
                    Invitation.event_id == event.id,
                    Invitation.used_at.is_(None),
                    Invitation.revoked_at.is_(None),
                    Invitation.email.in_(emails[start : start + 500]),
                )
            )
        )
    return found


def check_invitees(event: Event, data: bytes) -> ImportReport:
    """The dry run of an invitee list: check every row, change nothing, send nothing."""
    records = _records(
        _decode(data), INVITEE_REQUIRED_COLUMNS, INVITEE_OPTIONAL_COLUMNS, "invitees"
    )
    report = ImportReport()
    first_line_of: dict[str, int] = {}
    for line, values in records:
        row, problems = _check_invitee(line, values, first_line_of)
        if row is None:
            report.errors.append(RowError(line, _sentence(problems)))
        else:
            report.rows.append(row)
    emails = [row.invitee.email for row in report.rows]
    registered = _already_registered(event, emails)
    invited = _open_invitations(event, emails)
    for row in report.rows:
        email = row.invitee.email
        if email in registered:
            report.errors.append(RowError(row.line, f"{email} is already registered."))
        elif email in invited:
            report.errors.append(
                RowError(
                    row.line,
                    f"{email} has an invitation already; send it again from the Invitations "
                    "page, or remove the row.",
                )
            )
    report.rows = [row for row in report.rows if row.invitee.email not in registered | invited]
    report.errors.sort(key=lambda error: error.line)
    return report


def import_invitees(
    event: Event, data: bytes, *, organiser: User, now: datetime | None = None
) -> ImportReport:
    """Invite everyone in the file, or nobody: any bad row refuses the whole file.

    Each invitee's email (with a code) is queued in this transaction: the caller commits, or
    rolls back on ImportRefused and nothing is sent.
    """
    now = now or utcnow()
    report = check_invitees(event, data)
    if not report.ok:
        raise ImportRefused(
            f"Nobody was invited: {len(report.errors)} of "
            f"{len(report.errors) + len(report.rows)} rows have errors. Fix them and try again.",
            report,
        )
    try:
        with db.session.begin_nested():
            for row in report.rows:
                invite(event, row.invitee, invited_by=organiser, now=now)
    except (IntegrityError, DomainError) as error:  # invited or registered since the check
        raise ImportRefused(
            "Nobody was invited: someone in the file was invited or registered meanwhile. "
            "Check the file again."
        ) from error
    log_action(
        "invitation.import", event, actor=organiser, event_id=event.id, rows=len(report.rows)
    )
    report.imported = True
    return report
