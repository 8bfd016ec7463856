"""Search boxes: what an organiser types is matched as text, never as a pattern."""

import sqlalchemy as sa


def contains(column: sa.ColumnElement, text: str) -> sa.ColumnElement[bool]:
    """`column` holds `text` anywhere, whatever the case; a % or _ typed is only a character."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return column.ilike(f"%{escaped}%", escape="\\")
