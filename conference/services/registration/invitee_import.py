"""CSV import of invitees: a dry run that reports every bad row, then everyone or nobody.

The columns: name, email, and optionally organisation and country. Each invitee is emailed a
code that registers once (`services.registration.registration_invitations`); the emails leave
only if the import commits.
"""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from conference.extensions import db
from conference.models import Event, Invitation, User, utcnow
from conference.services.audit.writing import log_action
from conference.services.errors import DomainError
from conference.services.people.accounts import normalise_email
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
from conference.services.registration.registration_invitations import Invitee, invite

REQUIRED_COLUMNS = ("name", "email")
OPTIONAL_COLUMNS = ("organisation", "country")
ORGANISATION_MAX_LENGTH = Invitation.__table__.c.organisation.type.length


@dataclass(frozen=True)
class InviteeRow:
    """One good row of an invitee list, ready to be invited."""

    line: int
    invitee: Invitee


def _check_invitee(line: int, values: dict[str, str], first_line_of: dict[str, int]):
    problems = person_problems(line, values, first_line_of)
    country = country_code(values.get("country", ""))
    if values.get("country") and country is None:
        problems.append(f"unknown country “{values['country']}”")
    if len(values.get("organisation", "")) > ORGANISATION_MAX_LENGTH:
        problems.append(f"organisation is longer than {ORGANISATION_MAX_LENGTH} characters")
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
    records = read_rows(decode(data), REQUIRED_COLUMNS, OPTIONAL_COLUMNS, "invitees")
    report = ImportReport()
    first_line_of: dict[str, int] = {}
    for line, values in records:
        row, problems = _check_invitee(line, values, first_line_of)
        if row is None:
            report.errors.append(RowError(line, sentence(problems)))
        else:
            report.rows.append(row)
    emails = [row.invitee.email for row in report.rows]
    registered = already_registered(event, emails)
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
    event: Event, data: bytes, *, actor: User, now: datetime | None = None
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
                invite(event, row.invitee, actor=actor, now=now)
    except (IntegrityError, DomainError) as error:  # invited or registered since the check
        raise ImportRefused(
            "Nobody was invited: someone in the file was invited or registered meanwhile. "
            "Check the file again."
        ) from error
    log_action("invitation.import", event, actor=actor, event_id=event.id, rows=len(report.rows))
    report.imported = True
    return report
