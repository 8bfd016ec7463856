"""Reading a CSV file of people for an import (registrations or invitees): the file's rows,
and the checks every kind of import makes. A file that cannot be read is refused whole; a
readable one gives a report of every bad row, with its line number and reason."""

import csv
import io
from dataclasses import dataclass, field

import pycountry
import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email

from conference.extensions import db
from conference.models import Event, Registration, User
from conference.models import RegistrationStatus as Status
from conference.services.errors import DomainError
from conference.services.people.accounts import normalise_email

MAX_FILE_SIZE = 5 * 1024 * 1024
NAME_MAX_LENGTH = User.__table__.c.name.type.length


class ImportRefused(DomainError):
    """The file cannot be read as the CSV asked for, or it has rows with errors."""

    status_code = 400

    def __init__(self, message: str, report: "ImportReport | None" = None):
        super().__init__(message)
        self.report = report


@dataclass(frozen=True)
class RowError:
    line: int  # the line in the file, the header being line 1
    reason: str


@dataclass
class ImportReport:
    rows: list = field(default_factory=list)  # the good rows, each with its `line`
    errors: list[RowError] = field(default_factory=list)
    imported: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


def decode(data: bytes) -> str:
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


def read_rows(
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


def country_code(value: str) -> str | None:
    if not value:
        return None
    found = pycountry.countries.get(alpha_2=value.upper()) if len(value) == 2 else None
    if found is None:
        try:
            found = pycountry.countries.lookup(value)
        except LookupError:
            return None
    return found.alpha_2


def already_registered(event: Event, emails: list[str]) -> set[str]:
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


def person_problems(line: int, values: dict[str, str], first_line_of: dict[str, int]) -> list:
    """What is wrong with the row's name and email address, for either kind of file."""
    problems = []
    if values.get("_extra"):
        problems.append("more cells than the header has columns")
    if not values["name"]:
        problems.append("the name is missing")
    elif len(values["name"]) > NAME_MAX_LENGTH:
        problems.append(f"name is longer than {NAME_MAX_LENGTH} characters")
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


def sentence(problems: list[str]) -> str:
    reason = "; ".join(problems)
    return reason[0].upper() + reason[1:] + "."
