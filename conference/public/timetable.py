"""The public timetable's layout: one day as a grid of rooms by quarter hours, or as a list.

The grid is an HTML table: a row per quarter hour, a column per room; a session is one cell
spanning its quarters (rowspan) and, when it has no room, all the rooms (colspan). Sessions that
cannot share the grid (a room-less session while a room is in use, or two sessions in one room at
once) go to extra "Also on" columns rather than being hidden.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from conference.services.programme import Programme, PublishedRoom, PublishedSession

SLOT_MINUTES = 15


@dataclass(frozen=True)
class Cell:
    session: PublishedSession | None  # None: an empty cell
    rowspan: int = 1
    colspan: int = 1
    starts: datetime | None = None  # local
    ends: datetime | None = None


@dataclass
class Row:
    time: datetime  # local start of the quarter hour
    cells: list[Cell] = field(default_factory=list)

    @property
    def on_the_hour(self) -> bool:
        return self.time.minute == 0


@dataclass
class Grid:
    columns: list[str]  # the room names, then "Also on" for overflow columns
    rows: list[Row]


@dataclass(frozen=True)
class TimeSlot:
    """Sessions that start at the same time, for the list on a phone."""

    starts: datetime
    sessions: list[tuple[PublishedSession, datetime]]  # each with its local end


def _floor(moment: datetime) -> datetime:
    return moment.replace(
        minute=moment.minute - moment.minute % SLOT_MINUTES, second=0, microsecond=0
    )


def _slot(moment: datetime, first: datetime, *, up: bool = False) -> int:
    minutes = (moment - first).total_seconds() / 60
    whole = int(minutes // SLOT_MINUTES)
    return whole + 1 if up and minutes % SLOT_MINUTES else whole


def _overflow(placed: list[tuple[int, int, PublishedSession]]) -> list[list]:
    """Sessions that did not fit, packed into as few extra columns as they need."""
    columns: list[list[tuple[int, int, PublishedSession]]] = []
    for start, end, session in sorted(placed, key=lambda p: (p[0], p[1], p[2].id)):
        for column in columns:
            if column[-1][1] <= start:
                column.append((start, end, session))
                break
        else:
            columns.append([(start, end, session)])
    return columns


def day_grid(programme: Programme, day: date, track_id: int | None = None) -> Grid | None:
    """The day as a table; None when nothing is on."""
    sessions = programme.sessions_on(day, track_id)
    if not sessions:
        return None
    local = programme.local
    used = {s.room_id for s in sessions}
    rooms: list[PublishedRoom] = [room for room in programme.rooms if room.id in used]
    first = _floor(local(sessions[0].starts_at))
    spans = {
        s.id: (
            _slot(local(s.starts_at), first),
            max(_slot(local(s.ends_at), first, up=True), _slot(local(s.starts_at), first) + 1),
        )
        for s in sessions
    }
    row_count = max(end for _, end in spans.values())
    width = max(len(rooms), 1)
    column_of = {room.id: index for index, room in enumerate(rooms)}
    taken = [[False] * width for _ in range(row_count)]
    starts_here: dict[tuple[int, int], Cell] = {}
    left_over = []

    def free(start: int, end: int, columns: range) -> bool:
        return not any(taken[r][c] for r in range(start, end) for c in columns)

    def place(session, start, end, column, colspan=1):
        for r in range(start, end):
            for c in range(column, column + colspan):
                taken[r][c] = True
        starts_here[(start, column)] = Cell(
            session, end - start, colspan, local(session.starts_at), local(session.ends_at)
        )

    # Rooms first, then the sessions that span every room where they fit.
    for session in sorted(sessions, key=lambda s: s.room_id is None):
        start, end = spans[session.id]
        if session.room_id is None:
            columns = range(width)
        else:
            columns = range(column_of[session.room_id], column_of[session.room_id] + 1)
        if free(start, end, columns):
            place(session, start, end, columns.start, len(columns))
        else:
            left_over.append((start, end, session))

    extra = _overflow(left_over)
    for index, column in enumerate(extra, start=width):
        for row in taken:
            row.append(False)
        for start, end, session in column:
            place(session, start, end, index)

    rows = []
    for r in range(row_count):
        row = Row(first + timedelta(minutes=SLOT_MINUTES * r))
        for c in range(width + len(extra)):
            cell = starts_here.get((r, c))
            if cell is not None:
                row.cells.append(cell)
            elif not taken[r][c]:
                row.cells.append(Cell(None))
        rows.append(row)
    names = [room.name for room in rooms] or ["All rooms"]
    return Grid(names + ["Also on"] * len(extra), rows)


def day_list(programme: Programme, day: date, track_id: int | None = None) -> list[TimeSlot]:
    """The day's sessions grouped by their start time, in order."""
    slots: list[TimeSlot] = []
    for session in programme.sessions_on(day, track_id):
        starts = programme.local(session.starts_at)
        if not slots or slots[-1].starts != starts:
            slots.append(TimeSlot(starts, []))
        slots[-1].sessions.append((session, programme.local(session.ends_at)))
    return slots
