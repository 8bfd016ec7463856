"""Text in the PDFs we print (badges, letters, certificates), in every script our delegates
write their names in.

ReportLab draws glyphs as the font gives them, left to right. Latin, Cyrillic and Greek come
from Noto Sans; Thai from Noto Sans Thai; Arabic letters from Noto Sans Arabic once joined into
their contextual forms (arabic-reshaper) and put in display order (python-bidi). A name is drawn
in the one font that carries all its letters, so nothing shows as an empty box. The fonts ship
in `conference/fonts` (SIL Open Font License), so a fresh machine needs nothing installed.
"""

import unicodedata
from functools import cache
from pathlib import Path

import arabic_reshaper
from bidi import get_display
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

FONTS_DIR = Path(__file__).resolve().parents[2] / "fonts"
# Our name for each face, and its file; the first family is the default.
FAMILIES = {
    "Latin": ("NotoSans-Regular.ttf", "NotoSans-Bold.ttf"),
    "Arabic": ("NotoSansArabic-Regular.ttf", "NotoSansArabic-Bold.ttf"),
    "Thai": ("NotoSansThai-Regular.ttf", "NotoSansThai-Bold.ttf"),
}


@cache
def register_fonts() -> None:
    """Make the shipped faces known to ReportLab, once per process."""
    for family, (regular, bold) in FAMILIES.items():
        pdfmetrics.registerFont(TTFont(f"{family}", FONTS_DIR / regular))
        pdfmetrics.registerFont(TTFont(f"{family}-Bold", FONTS_DIR / bold))


def _script(character: str) -> str | None:
    name = unicodedata.name(character, "")
    if name.startswith("ARABIC"):
        return "Arabic"
    if name.startswith("THAI"):
        return "Thai"
    return None


def font_for(text: str, *, bold: bool = False) -> str:
    """The registered face that carries `text`: the Arabic or Thai one when it holds those
    letters, otherwise the Latin one (which also has Greek, Cyrillic and Vietnamese)."""
    register_fonts()
    family = next((s for c in text if (s := _script(c))), "Latin")
    return f"{family}-Bold" if bold else family


def for_display(text: str) -> str:
    """`text` as ReportLab must be given it: Arabic letters joined and in visual order; any
    other text as it is."""
    if any(_script(c) == "Arabic" for c in text):
        return get_display(arabic_reshaper.reshape(text))
    return text


def fitted_size(text: str, font: str, width: float, largest: float, smallest: float) -> float:
    """The largest font size from `largest` down to `smallest` at which `text` fits `width`
    points on one line; `smallest` when even that does not (the caller then wraps)."""
    size = largest
    while size > smallest and pdfmetrics.stringWidth(text, font, size) > width:
        size -= 0.5
    return max(size, smallest)


def draw_text(
    canvas: Canvas, x: float, y: float, text: str, size: float, *, bold=False, centred=False
) -> None:
    """One line of `text` at (`x`, `y`), in the face that carries its letters."""
    font = font_for(text, bold=bold)
    canvas.setFont(font, size)
    shown = for_display(text)
    if centred:
        canvas.drawCentredString(x, y, shown)
    else:
        canvas.drawString(x, y, shown)


def draw_wrapped(
    canvas: Canvas, x: float, y: float, text: str, size: float, width: float, *, bold=False
) -> float:
    """`text` in lines of at most `width` points from `y` down; the y below it."""
    font = font_for(text, bold=bold)
    for line in simpleSplit(text, font, size, width):
        draw_text(canvas, x, y, line, size, bold=bold)
        y -= size * 1.35
    return y
