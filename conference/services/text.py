"""What organisers type, tidied the same way everywhere before it is stored."""


def one_line(text: str | None) -> str:
    """A name or title: one line, single spaces."""
    return " ".join((text or "").split())


def paragraphs(text: str | None) -> str:
    """A description, abstract or bio from a text area: browsers send CRLF line ends, and the
    pages split paragraphs on blank lines."""
    return (text or "").replace("\r\n", "\n").strip()
