"""Every email the app sends, once: its key, what organisers call it, and the placeholders it
offers. Its default words, in each language, are `templates/emails/<language>/<key>.txt`: a
first line `Subject: ...`, then the text, with `{placeholder}`s and nothing else of a template
language."""

from dataclasses import dataclass
from functools import cache

from flask import current_app

from conference.services.mail.placeholders import REGISTRATION_PLACEHOLDERS
from conference.services.mail.rendering import Placeholder


@dataclass(frozen=True)
class EmailKind:
    key: str
    title: str  # what organisers call it, in the list of emails
    sent_when: str  # one sentence beside the editor
    placeholders: tuple[Placeholder, ...]


KINDS: dict[str, EmailKind] = {
    kind.key: kind
    for kind in (
        EmailKind(
            "reminder",
            "Reminder",
            "The words a new reminder starts with; each reminder can change them.",
            REGISTRATION_PLACEHOLDERS,
        ),
    )
}


@cache
def _default_file(key: str, language: str) -> tuple[str, str]:
    source, _, _ = current_app.jinja_loader.get_source(
        current_app.jinja_env, f"emails/{language}/{key}.txt"
    )
    first_line, _, body = source.lstrip().partition("\n")
    if not first_line.startswith("Subject:"):
        raise ValueError(f"emails/{language}/{key}.txt must start with a Subject: line")
    return first_line.removeprefix("Subject:").strip(), body.strip() + "\n"


def default_text(key: str, language: str) -> tuple[str, str]:
    """The default (subject, body) of the email `key` in `language`."""
    return _default_file(KINDS[key].key, language)
