"""The programme: the timetable and its publishing, rooms, tracks and speakers, workshops,
agendas, calendar feeds and schedule exports."""
