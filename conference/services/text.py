"""Text: what organisers type, tidied the same way everywhere before it is stored; and how
the pages and messages say a number of things."""


def one_line(text: str | None) -> str:
    """A name or title: one line, single spaces."""
    return " ".join((text or "").split())


def paragraphs(text: str | None) -> str:
    """A description, abstract or bio from a text area: browsers send CRLF line ends, and the
    pages split paragraphs on blank lines."""
    return (text or "").replace("\r\n", "\n").strip()


def counted(number: int, singular: str, plural: str | None = None) -> str:
    """A number with its noun, singular for exactly one: "1 registration", "3 registrations".

    `plural` is for words that do not just take an s, and for a verb that agrees with the
    number: counted(n, "row is", "rows are").
    """
    return f"{number} {singular if number == 1 else plural or singular + 's'}"
