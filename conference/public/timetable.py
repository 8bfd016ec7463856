"""What the public timetable of a day adds to the shared grid (`services.programme.timetable_grid`).

The grid is the organisers' editor's too, sessions that cannot share it listed beside it. Only
two things are the public's own: the grid's columns are the rooms in use that day (in the chosen
track), where the editor shows every room to put sessions in; and a phone gets the day as a list
of sessions grouped by their start time.
"""

from dataclasses import dataclass
from datetime import date, datetime

from conference.services.programme.publishing import Programme, PublishedSession
from conference.services.programme.timetable_grid import GridDay, grid_of_day


@dataclass(frozen=True)
class TimeSlot:
    """Sessions that start at the same time, for the list on a phone."""

    starts: datetime  # local
    sessions: list[PublishedSession]


def day_grid(programme: Programme, day: date, track_id: int | None = None) -> GridDay:
    """The day as a grid of the rooms in use that day, in the programme's room order."""
    sessions = programme.sessions_on(day, track_id)
    used = {session.room_id for session in sessions}
    rooms = [room for room in programme.rooms if room.id in used]
    return grid_of_day(day, rooms, sessions, programme.timezone)


def day_list(programme: Programme, day: date, track_id: int | None = None) -> list[TimeSlot]:
    """The day's sessions grouped by their start time, in order."""
    slots: list[TimeSlot] = []
    for session in programme.sessions_on(day, track_id):
        starts = programme.local(session.starts_at)
        if not slots or slots[-1].starts != starts:
            slots.append(TimeSlot(starts, []))
        slots[-1].sessions.append(session)
    return slots
