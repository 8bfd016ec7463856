"""Lists for the organisers: participants, catering and security, as CSV and XLSX.

Exports stream. Rows come from the database in batches (`yield_per`, a server-side cursor on
PostgreSQL) and leave as soon as they are written, so 100,000 registrations never sit in memory
at once. Every cell that a spreadsheet could read as a formula is escaped first.
"""

import contextlib
import csv
import io
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import IO, Any

import sqlalchemy as sa
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from conference.extensions import db
from conference.local_time import format_local_time, local_date
from conference.models import Event, OrganisationKind, Registration, User, utcnow
from conference.models import RegistrationStatus as Status
from conference.permissions import sees_sensitive_data
from conference.services.audit.writing import log_action
from conference.services.registration import fields
from conference.services.registration.fields import ExportList
from conference.services.registration.listing import RegistrationFilter, registrations_query

BATCH_SIZE = 1000
# A spreadsheet reads a cell starting with one of these as a formula (or the start of one).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
CSV_BOM = "\ufeff"  # so that Excel reads the file as UTF-8 and names keep their accents


def escape_cell(value: Any) -> str:
    """The cell as text a spreadsheet shows as it is: a leading quote defuses a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


@dataclass(frozen=True)
class Column:
    header: str
    value: Callable[[Registration, Event], Any]


def _kind(registration: Registration, event: Event) -> str:
    organisation = registration.organisation
    return OrganisationKind(organisation.kind).label if organisation else ""


def _answer(f: fields.RegistrationField) -> Column:
    return Column(f.label, lambda r, e: f.exported(f.value_of(r)))


def _field_columns(
    export: ExportList, *, with_kind: bool = True, sensitive: bool = True
) -> dict[str, Column]:
    """The declared fields that `export` carries, a column each; a partner's kind beside it.
    Without `sensitive`, the sensitive fields are left out."""
    columns = {}
    for f in fields.in_export(export):
        if f not in fields.visible(sensitive):
            continue
        columns[f.csv_column] = _answer(f)
        if with_kind and f.kind == fields.Kind.ORGANISATION:
            columns[f"{f.csv_column}_kind"] = Column(f"{f.label} kind", _kind)
    return columns


# The participant list's columns, in the order they appear in the file.
PARTICIPANT_COLUMNS: dict[str, Column] = {
    "reference": Column("Reference", lambda r, e: r.reference),
    "name": Column("Name", lambda r, e: r.user.name),
    "email": Column("Email", lambda r, e: r.user.email),
    "status": Column("Status", lambda r, e: r.status_label),
    **_field_columns(ExportList.PARTICIPANTS),
    "registered_at": Column(
        "Registered at", lambda r, e: format_local_time(r.created_at, e.timezone)
    ),
}


def participant_columns(sensitive: bool) -> dict[str, Column]:
    """The participant list's columns a reader may choose: the sensitive fields' only for those
    allowed them."""
    hidden = {f.csv_column for f in fields.FIELDS if f not in fields.visible(sensitive)}
    return {key: column for key, column in PARTICIPANT_COLUMNS.items() if key not in hidden}


# The venue's security desk: who may come in, and what the door should know of them.
def security_columns(sensitive: bool) -> dict[str, Column]:
    """The security list's columns; the sensitive fields' only for those allowed them."""
    return {
        "name": Column("Name", lambda r, e: r.user.name),
        **_field_columns(ExportList.SECURITY, with_kind=False, sensitive=sensitive),
        "reference": Column("Reference", lambda r, e: r.reference),
    }


@dataclass(frozen=True)
class Export:
    """One list, ready to stream: its rows are read only when the file is written."""

    name: str  # in the filename and the audit log: participants, catering, security
    sheet_title: str
    header: list[str]
    rows: Callable[[], Iterator[list[Any]]]
    row_count: int

    def filename(self, event: Event, extension: str, today: date | None = None) -> str:
        today = today or local_date(utcnow(), event.timezone)
        return f"{event.slug}-{self.name}-{today.isoformat()}.{extension}"


def _count(query: sa.Select) -> int:
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(query.order_by(None).subquery())
    )


def _in_batches(query: sa.Select) -> Iterator[Registration]:
    """The query's registrations, BATCH_SIZE at a time.

    The session's identity map holds objects weakly, so a batch is freed once it is written.
    """
    yield from db.session.scalars(query.execution_options(yield_per=BATCH_SIZE))


def participant_list(
    event: Event, filters: RegistrationFilter, columns: Iterable[str], *, actor: User
) -> Export:
    """The registrations that match the organiser's filter, with the chosen columns.

    Personal data leaves the system here, so the export is audited: who, which filter, which
    columns, how many rows. The sensitive fields leave only with those allowed them.
    """
    allowed = participant_columns(sees_sensitive_data(actor, event))
    chosen = [key for key in allowed if key in set(columns)]
    if not chosen:
        raise ValueError("choose at least one column")
    query = registrations_query(event, filters)
    count = _count(query)
    log_action(
        "export.participants",
        event,
        actor=actor,
        event_id=event.id,
        columns=chosen,
        filters=filters.as_args(),
        rows=count,
    )

    def rows() -> Iterator[list[Any]]:
        for registration in _in_batches(query):
            yield [PARTICIPANT_COLUMNS[key].value(registration, event) for key in chosen]

    return Export(
        "participants",
        "Participants",
        [PARTICIPANT_COLUMNS[key].header for key in chosen],
        rows,
        count,
    )


def _approved(event: Event) -> sa.Select:
    return registrations_query(event, RegistrationFilter(status=Status.APPROVED))


def security_list(event: Event, *, actor: User) -> Export:
    """For the venue's security desk: who may come in, with what the door should know of them
    (`security_columns`; the sensitive ones only for those allowed them). Approved delegates
    only, by name."""
    columns = list(security_columns(sees_sensitive_data(actor, event)).values())
    query = _approved(event).order_by(None).order_by(User.name, Registration.reference)
    count = _count(query)
    log_action("export.security", event, actor=actor, event_id=event.id, rows=count)

    def rows() -> Iterator[list[Any]]:
        for registration in _in_batches(query):
            yield [column.value(registration, event) for column in columns]

    return Export(
        "security",
        "Security",
        [column.header for column in columns],
        rows,
        count,
    )


def catering_summary(event: Event, *, actor: User) -> Export:
    """For the caterer: the approved delegates' dietary needs, counted, for each day.

    Needs that differ only in case or surrounding spaces count together. Every approved
    delegate is expected on every day of the event.
    """
    [needs] = fields.in_export(ExportList.CATERING)
    answer = getattr(Registration, needs.name)
    need = sa.func.lower(sa.func.trim(answer))
    counted = db.session.execute(
        sa.select(sa.func.min(sa.func.trim(answer)), sa.func.count())
        .where(Registration.event_id == event.id, Registration.status == Status.APPROVED)
        .group_by(need)
    ).all()
    counted = sorted(counted, key=lambda row: (row[0] == "", -row[1], row[0].lower()))
    total = sum(count for _, count in counted)
    days = event.days
    log_action("export.catering", event, actor=actor, event_id=event.id, delegates=total)

    def rows() -> Iterator[list[Any]]:
        for day in days:
            label = day.strftime("%A %-d %B %Y")
            for text, count in counted:
                yield [label, text or f"No {needs.label.lower()}", count]
            yield [label, "All approved delegates", total]

    return Export(
        "catering",
        "Catering",
        ["Day", needs.label, "Delegates"],
        rows,
        len(days) * (len(counted) + 1),
    )


def csv_chunks(export: Export, batch: int = 500) -> Iterator[str]:
    """The export as CSV text, a few hundred rows per chunk, every cell escaped."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write(CSV_BOM)
    writer.writerow([escape_cell(cell) for cell in export.header])
    for n, row in enumerate(export.rows(), start=1):
        writer.writerow([escape_cell(cell) for cell in row])
        if n % batch == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _xlsx_cell(value: Any):
    if isinstance(value, int) and not isinstance(value, bool):
        return value  # counts stay numbers the caterer can add up
    return ILLEGAL_CHARACTERS_RE.sub("", escape_cell(value))


def _discard(sheet) -> None:
    """After a failure: end openpyxl's row writer and remove the file it was writing to."""
    with contextlib.suppress(Exception):
        sheet.close()
    if sheet._writer is not None:
        with contextlib.suppress(OSError, ValueError):
            sheet._writer.cleanup()


def xlsx_file(export: Export) -> IO[bytes]:
    """The export as an XLSX workbook in a temporary file, rewound for reading.

    openpyxl's write-only workbook keeps no rows in memory; the file disappears when closed.
    """
    spool = tempfile.TemporaryFile(suffix=".xlsx")
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(export.sheet_title)
    try:
        sheet.append([_xlsx_cell(cell) for cell in export.header])
        for row in export.rows():
            sheet.append([_xlsx_cell(cell) for cell in row])
        workbook.save(spool)
    except BaseException:
        spool.close()
        _discard(sheet)
        raise
    spool.seek(0)
    return spool
