"""An email from words an organiser can edit: placeholders filled, a text part and an HTML part.

The words are plain text, not a template language: `{name}` is replaced by the value of the
placeholder `name`, and nothing else in them means anything, so an organiser's text can never run
code. A text is checked when it is saved (`check_email_text`): a placeholder the email does not
offer is refused, and so is a subject with a line break. The values are filled in as they are: the
HTML part escapes the whole text, values included, and only links to our own site become
clickable.
"""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from flask import current_app, render_template

from conference.services.errors import InvalidEmailText

# Anything between braces is meant as a placeholder; what is not a known one is refused.
PLACEHOLDER = re.compile(r"\{([^{}\n]*)\}")
_URL = re.compile(r"(https?://\S+)")
SUBJECT_LENGTH = 300


@dataclass(frozen=True)
class Placeholder:
    """A value an email may use: `{name}` in its words. `about` says what it is, beside the
    editor."""

    name: str
    about: str

    @property
    def token(self) -> str:
        return "{" + self.name + "}"


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


def placeholders_in(text: str) -> list[str]:
    return [match.strip() for match in PLACEHOLDER.findall(text)]


def check_email_text(subject: str, body: str, offered: Iterable[Placeholder]) -> None:
    """Refuse words that could not be sent as they are: a subject with a line break (it would
    end the header and start another) or over SUBJECT_LENGTH, an empty subject or body, and any
    `{...}` that is not one of the `offered` placeholders."""
    if "\n" in subject or "\r" in subject:
        raise InvalidEmailText("A subject is one line: take out the line break.", field="subject")
    if not subject.strip():
        raise InvalidEmailText("Write a subject.", field="subject")
    if len(subject) > SUBJECT_LENGTH:
        raise InvalidEmailText(
            f"A subject is at most {SUBJECT_LENGTH} characters.", field="subject"
        )
    if not body.strip():
        raise InvalidEmailText("Write the email's text.", field="body")
    names = {placeholder.name for placeholder in offered}
    for field, text in (("subject", subject), ("body", body)):
        unknown = [name for name in placeholders_in(text) if name not in names]
        if unknown:
            listed = ", ".join("{" + name + "}" for name in sorted(names)) or "none"
            raise InvalidEmailText(
                f"There is no placeholder {{{unknown[0]}}} in this email. It can use: {listed}.",
                field=field,
            )


def fill(text: str, values: Mapping[str, str]) -> str:
    """`text` with each `{name}` replaced by its value; a name without a value is left as it is
    (the text was checked when saved, so that is a placeholder meant literally)."""

    def value(match: re.Match) -> str:
        name = match.group(1).strip()
        return str(values[name]) if name in values else match.group(0)

    return PLACEHOLDER.sub(value, text)


def _paragraphs(text: str, base_url: str) -> list[list[tuple[str, bool]]]:
    """Plain text as paragraphs of (text, is_link) pieces, for the HTML part.

    Only links to our own site become clickable: a web address typed into a name or a reason
    stays plain text.
    """
    return [
        [
            (piece, bool(_URL.fullmatch(piece)) and piece.startswith(base_url + "/"))
            for piece in _URL.split(block)
            if piece
        ]
        for block in re.split(r"\n\s*\n", text.strip())
    ]


def render_email(
    subject: str, body: str, values: Mapping[str, str], language: str = "en"
) -> RenderedEmail:
    """The email as sent: both parts with the values filled in; the subject on one line even if
    a value held a line break."""
    subject = " ".join(fill(subject, values).split())[:SUBJECT_LENGTH]
    text = re.sub(r"\n{3,}", "\n\n", fill(body, values).strip()) + "\n"
    html = render_template(
        "emails/layout.html",
        subject=subject,
        language=language,
        paragraphs=_paragraphs(text, current_app.config["BASE_URL"]),
    )
    return RenderedEmail(subject=subject, text=text, html=html)
