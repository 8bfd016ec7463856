"""A day of the programme laid out as a grid: rooms as columns, rows of 15 minutes.

The one layout of the timetable, for the organisers' editor (the draft's sessions, every room)
and the public page (the published snapshot, the rooms in use: `public.timetable`). Works on
anything with `starts_at`, `ends_at` (aware) and `room_id`. A session spans the rows of its
duration (an HTML `rowspan`); one without a room, such as a break for everyone, spans every
column. A session that would overlap another's cells (the rules refuse that in one room, but a
break for everyone may cross a session) is not squeezed in: it is listed in `unplaced`, and both
pages show that list beside the grid, so that no session is hidden.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from conference.local_time import to_local

SLOT = timedelta(minutes=15)


@dataclass
class Cell:
    """One `<td>`: a session spanning rows and columns, or an empty slot of one room."""

    session: Any = None
    rowspan: int = 1
    colspan: int = 1
    room: Any = None  # an empty slot's room (None in a grid without rooms)
    starts: time | None = None  # an empty slot's time


@dataclass
class Row:
    starts: time
    cells: list[Cell]  # only the cells that begin in this row

    @property
    def on_the_hour(self) -> bool:
        return self.starts.minute == 0


@dataclass
class GridDay:
    day: date
    columns: Sequence[Any]  # the rooms
    rows: list[Row] = field(default_factory=list)
    sessions: list = field(default_factory=list)  # the day's sessions, in time order
    unplaced: list = field(default_factory=list)


def _floor(moment: datetime) -> datetime:
    moment = moment.replace(second=0, microsecond=0)
    return moment - timedelta(minutes=moment.minute % 15)


def _ceil(moment: datetime) -> datetime:
    floored = _floor(moment)
    return floored if floored == moment else floored + SLOT


def grid_of_day(day: date, rooms: Sequence[Any], sessions: Sequence[Any], timezone: str) -> GridDay:
    """The day's sessions (of `sessions`, those starting that day) in the columns `rooms`.

    Placed in time order, a session for every room before the rooms' own at the same start: the
    first to claim a cell keeps it, and a later one that needs it goes to `unplaced`; so does one
    whose room is not among the columns.
    """

    def local(moment: datetime) -> datetime:
        return to_local(moment, timezone)

    todays = sorted(
        (s for s in sessions if local(s.starts_at).date() == day),
        key=lambda s: (s.starts_at, s.room_id is not None, s.ends_at),
    )
    grid = GridDay(day=day, columns=list(rooms), sessions=todays)
    if not todays:
        return grid
    first = _floor(min(local(s.starts_at) for s in todays))
    last = _ceil(max(local(s.ends_at) for s in todays))
    count = max(1, int((last - first) / SLOT))
    width = max(1, len(grid.columns))
    column_of = {room.id: n for n, room in enumerate(grid.columns)}
    taken: list[list[Any]] = [[None] * width for _ in range(count)]  # None, or the owning cell

    for session in todays:
        top = int((_floor(local(session.starts_at)) - first) / SLOT)
        bottom = min(count, max(top + 1, int((_ceil(local(session.ends_at)) - first) / SLOT)))
        if session.room_id is None or not grid.columns:
            columns = range(width)
        elif session.room_id in column_of:
            columns = range(column_of[session.room_id], column_of[session.room_id] + 1)
        else:
            grid.unplaced.append(session)
            continue
        if any(taken[r][c] is not None for r in range(top, bottom) for c in columns):
            grid.unplaced.append(session)
            continue
        cell = Cell(session=session, rowspan=bottom - top, colspan=len(columns))
        for r in range(top, bottom):
            for c in columns:
                taken[r][c] = cell
        taken[top][columns[0]] = ("start", cell)

    for r in range(count):
        starts = (first + r * SLOT).time()
        cells = []
        for c in range(width):
            owner = taken[r][c]
            if owner is None:
                room = grid.columns[c] if grid.columns else None
                cells.append(Cell(room=room, starts=starts))
            elif isinstance(owner, tuple):
                cells.append(owner[1])
        grid.rows.append(Row(starts=starts, cells=cells))
    return grid


def grid_of(
    days: Sequence[date], rooms: Sequence[Any], sessions: Sequence[Any], timezone: str
) -> list[GridDay]:
    """Each of the event's days as a grid."""
    return [grid_of_day(day, rooms, sessions, timezone) for day in days]
