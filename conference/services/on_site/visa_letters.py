"""Visa invitation letters: the passport details an approved delegate who asked for a letter
gives, the letter issued on them, its downloads, and the check an embassy makes of its code.

The passport details are asked only of an approved delegate who asked for a letter, shown only
to the event's organisers, and never written to the audit log: its entries name the letter by
its reference. At most one letter of a registration is valid; a withdrawn one stays, so that
its code verifies as withdrawn. A letter is withdrawn when its registration stops being
approved (`registration.workflow.change_status` calls `withdraw_on_leaving_approval`).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa

from conference.countries import country_name, every_country
from conference.extensions import db
from conference.local_time import local_date
from conference.models import Event, Registration, User, VisaLetter, utcnow
from conference.models import RegistrationStatus as Status
from conference.services.audit.writing import log_action
from conference.services.errors import DomainError, InvalidTransition, NotFound
from conference.services.links import absolute_url
from conference.services.locks import lock_registration
from conference.services.mail.sending import send_email
from conference.services.on_site.codes import hashed, letter_code, new_nonce, normalised_code
from conference.services.on_site.letter_pdf import PrintedLetter, letter_pdf
from conference.services.text import one_line

OLDEST_BIRTH_DATE = date(1900, 1, 1)
PASSPORT_NUMBER_LENGTHS = range(5, 21)


class LetterNotAvailable(DomainError):
    """No letter here: the registration is not approved, did not ask for one, or the
    organisers have not finished the letter's wording."""


class LetterDetailsRefused(DomainError):
    """Passport details that cannot be right."""

    status_code = 400


@dataclass(frozen=True)
class LetterDetails:
    """What the letter needs from the delegate, as in their passport."""

    passport_name: str
    nationality: str  # ISO 3166-1 alpha-2
    passport_number: str
    date_of_birth: date

    def cleaned(self) -> "LetterDetails":
        return LetterDetails(
            passport_name=one_line(self.passport_name),
            nationality=(self.nationality or "").strip().upper(),
            passport_number="".join(self.passport_number.split()).upper(),
            date_of_birth=self.date_of_birth,
        )


def asks_for_letter(registration: Registration) -> bool:
    """The letter's details are asked of an approved delegate who asked for a letter, only."""
    return registration.status == Status.APPROVED and registration.invitation_letter_needed


def missing_wording(event: Event) -> list[str]:
    """What the organisers still have to fill in (in the settings) before a letter is printed."""
    wanted = {
        "the purpose of the visit": event.letter_purpose,
        "the costs": event.letter_costs,
        "who signs": event.letter_signatory_name,
        "the signatory's title": event.letter_signatory_title,
    }
    return [what for what, value in wanted.items() if not value.strip()]


def letters_of(registration: Registration) -> list[VisaLetter]:
    """The registration's letters, newest first."""
    return list(
        db.session.scalars(
            sa.select(VisaLetter)
            .where(VisaLetter.registration_id == registration.id)
            .order_by(VisaLetter.issued_at.desc(), VisaLetter.id.desc())
        )
    )


def valid_among(letters: Iterable[VisaLetter]) -> VisaLetter | None:
    """The valid one of a registration's letters: at most one is (a unique index says so)."""
    return next((letter for letter in letters if letter.is_valid), None)


def valid_letter(registration: Registration) -> VisaLetter | None:
    return valid_among(letters_of(registration))


def code_of(letter: VisaLetter) -> str:
    """The verification code printed on the letter."""
    return letter_code(letter.nonce)


def _checked(details: LetterDetails, event: Event) -> LetterDetails:
    details = details.cleaned()
    if not details.passport_name:
        raise LetterDetailsRefused(
            "Give your name as it is written in your passport.", "passport_name"
        )
    if details.nationality not in dict(every_country()):
        raise LetterDetailsRefused("Choose your nationality from the list.", "nationality")
    number = details.passport_number
    if not number.isalnum() or len(number) not in PASSPORT_NUMBER_LENGTHS:
        raise LetterDetailsRefused(
            "A passport number has 5 to 20 letters and digits.", "passport_number"
        )
    if not OLDEST_BIRTH_DATE <= details.date_of_birth < event.starts_on:
        raise LetterDetailsRefused(
            "Give your date of birth as it is written in your passport.", "date_of_birth"
        )
    return details


def _reference(registration: Registration) -> str:
    """The letter's reference: the registration's, and which of its letters this is."""
    count = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(VisaLetter)
        .where(VisaLetter.registration_id == registration.id)
    )
    return f"{registration.reference}-L{count + 1}"


def _new_letter(registration: Registration, details: LetterDetails) -> VisaLetter:
    nonce = new_nonce()
    letter = VisaLetter(
        registration_id=registration.id,
        reference=_reference(registration),
        passport_name=details.passport_name,
        nationality=details.nationality,
        passport_number=details.passport_number,
        date_of_birth=details.date_of_birth,
        nonce=nonce,
        code_hash=hashed(letter_code(nonce)),
        withdrawn_reason="",
    )
    db.session.add(letter)
    db.session.flush()
    return letter


def _details_of(letter: VisaLetter) -> LetterDetails:
    return LetterDetails(
        letter.passport_name, letter.nationality, letter.passport_number, letter.date_of_birth
    )


def _withdraw(letter: VisaLetter, *, actor: User | None, reason: str, now: datetime) -> None:
    letter.withdrawn_at = now
    letter.withdrawn_reason = reason[:200]
    log_action(
        "visa_letter.withdrawn",
        letter.registration,
        actor=actor,
        event_id=letter.registration.event_id,
        letter_reference=letter.reference,
        reason=letter.withdrawn_reason,
    )
    db.session.flush()  # the valid letter's index must see it withdrawn before the next one


def give_details(
    registration: Registration, details: LetterDetails, *, actor: User, now: datetime | None = None
) -> VisaLetter:
    """Issue the letter on the delegate's passport details: only for an approved registration
    that asked for one, and not when the organisers withdrew its letter (they reissue it).
    Details corrected later replace the valid letter with a new one (a new code); the same
    details sent again (a double click, also two at once) answer the letter already issued.
    The registration is read afresh under its lock: a cancellation committed a moment ago
    leaves no letter issued."""
    registration = lock_registration(registration.id)
    if not asks_for_letter(registration):
        raise LetterNotAvailable(
            "Passport details are asked only of approved delegates who asked for an invitation "
            "letter."
        )
    details = _checked(details, registration.event)
    letters = letters_of(registration)
    current = valid_among(letters)
    if letters and current is None:
        raise LetterNotAvailable(
            "Your invitation letter was withdrawn. Write to the organisers if you still need one."
        )
    if current is not None and _details_of(current) == details:
        return current
    if current is not None:
        _withdraw(
            current,
            actor=actor,
            reason="Replaced: the delegate corrected the details",
            now=now or utcnow(),
        )
    letter = _new_letter(registration, details)
    log_action(
        "visa_letter.issued",
        registration,
        actor=actor,
        event_id=registration.event_id,
        letter_reference=letter.reference,
        **({"replaces": current.reference} if current else {}),
    )
    _tell_ready(letter)
    return letter


def _tell_ready(letter: VisaLetter) -> None:
    """Tell the delegate a letter was issued to them, to download from their registration
    page (the email does not carry it: a letter is fetched by its owner, logged in)."""
    registration = letter.registration
    send_email(
        "letter_ready",
        to=registration.user,
        event=registration.event,
        registration=registration,
        values={"letter_reference": letter.reference},
    )


def _ready(letter: VisaLetter) -> None:
    missing = missing_wording(letter.registration.event)
    if missing:
        raise LetterNotAvailable(
            "The organisers are still preparing the letter (it needs "
            + ", ".join(missing)
            + "). Please try again later."
        )


def _pdf(letter: VisaLetter) -> bytes:
    event = letter.registration.event
    return letter_pdf(
        PrintedLetter(
            letter,
            code=code_of(letter),
            verify_url=absolute_url("public.verify_letter", event_slug=event.slug),
            dated=local_date(letter.issued_at, event.timezone),
        )
    )


def delegate_download(registration: Registration, *, now: datetime | None = None) -> bytes:
    """The delegate's valid letter as a PDF; each download is counted on the letter, so that
    the organisers see who has theirs and since when."""
    letter = valid_letter(registration) if asks_for_letter(registration) else None
    if letter is None:
        raise LetterNotAvailable("You have no invitation letter to download.")
    _ready(letter)
    now = now or utcnow()
    letter.first_downloaded_at = letter.first_downloaded_at or now
    letter.last_downloaded_at = now
    letter.downloads += 1
    db.session.flush()
    return _pdf(letter)


def letter_in_event(event: Event, reference: str) -> VisaLetter | None:
    """One of the event's letters, valid or withdrawn, by its reference."""
    return db.session.scalars(
        sa.select(VisaLetter)
        .join(Registration, Registration.id == VisaLetter.registration_id)
        .where(Registration.event_id == event.id, VisaLetter.reference == reference.strip().upper())
    ).first()


def organiser_download(letter: VisaLetter, *, actor: User) -> bytes:
    """An organiser's copy of a valid letter (to send it by post, say): audited, and not
    counted as the delegate's download. A withdrawn letter no longer invites anyone: no copy."""
    if not letter.is_valid:
        raise LetterNotAvailable(
            f"Letter {letter.reference} is withdrawn: it no longer invites its holder, and no "
            "copy of it is printed."
        )
    _ready(letter)
    log_action(
        "visa_letter.downloaded",
        letter.registration,
        actor=actor,
        event_id=letter.registration.event_id,
        letter_reference=letter.reference,
    )
    return _pdf(letter)


def withdraw_letter(
    letter: VisaLetter, *, actor: User, reason: str, now: datetime | None = None
) -> VisaLetter:
    """Withdraw a valid letter, with the reason: its code verifies as withdrawn from now on."""
    reason = one_line(reason)
    if not reason:
        raise DomainError("Give the reason for withdrawing the letter.", "reason")
    if not letter.is_valid:
        raise InvalidTransition(f"Letter {letter.reference} is withdrawn already.")
    _withdraw(letter, actor=actor, reason=reason, now=now or utcnow())
    return letter


def reissue_letter(
    letter: VisaLetter, *, actor: User, reason: str, now: datetime | None = None
) -> VisaLetter:
    """A new letter on the same details, with a new code and reference, for an approved
    registration that asked for one (read afresh under its lock); the letter it replaces (if
    still valid) is withdrawn."""
    reason = one_line(reason)
    if not reason:
        raise DomainError("Give the reason for reissuing the letter.", "reason")
    registration = lock_registration(letter.registration_id)
    if not asks_for_letter(registration):
        raise LetterNotAvailable(
            f"Only approved registrations that asked for a letter have one; "
            f"{registration.reference} is {registration.status_label.lower()}."
        )
    current = valid_letter(registration)
    if current is not None:
        _withdraw(current, actor=actor, reason=f"Reissued: {reason}", now=now or utcnow())
    new = _new_letter(registration, _details_of(current or letter))
    log_action(
        "visa_letter.issued",
        registration,
        actor=actor,
        event_id=registration.event_id,
        letter_reference=new.reference,
        replaces=(current or letter).reference,
        reason=reason,
    )
    _tell_ready(new)
    return new


def withdraw_on_leaving_approval(
    registration: Registration, *, actor: User | None, now: datetime
) -> None:
    """A registration no longer approved has no valid letter: an embassy checking it is told."""
    letter = valid_letter(registration)
    if letter is not None:
        _withdraw(
            letter,
            actor=actor,
            reason=f"The registration is {registration.status_label.lower()}",
            now=now,
        )


# --- who asked, and their letters ----------------------------------------------------------------


@dataclass(frozen=True)
class LetterRequest:
    """A delegate who asked for a letter, and the letters issued to them, newest first."""

    registration: Registration
    letters: list[VisaLetter]

    @property
    def valid(self) -> VisaLetter | None:
        return valid_among(self.letters)

    @property
    def latest(self) -> VisaLetter | None:
        return self.letters[0] if self.letters else None

    @property
    def downloaded(self) -> bool:
        """Whether the delegate downloaded one of their letters."""
        return any(letter.first_downloaded_at for letter in self.letters)


def letter_request_of(registration: Registration) -> LetterRequest | None:
    """The delegate's own letters, for their registration page: only while their details are
    asked (approved, and asked for a letter)."""
    if not asks_for_letter(registration):
        return None
    return LetterRequest(registration, letters_of(registration))


def letter_requests(event: Event) -> list[LetterRequest]:
    """Who asked for a letter (still registered, or with a letter issued), by name; and their
    letters. Two queries."""
    registrations = list(
        db.session.scalars(
            sa.select(Registration)
            .join(User, User.id == Registration.user_id)
            .where(
                Registration.event_id == event.id,
                sa.or_(
                    sa.and_(
                        Registration.invitation_letter_needed,
                        Registration.status.in_(
                            [Status.PENDING, Status.APPROVED, Status.WAITLISTED]
                        ),
                    ),
                    Registration.id.in_(sa.select(VisaLetter.registration_id)),
                ),
            )
            .order_by(User.name, Registration.reference)
        )
    )
    letters: dict[int, list[VisaLetter]] = {}
    for letter in db.session.scalars(
        sa.select(VisaLetter)
        .where(VisaLetter.registration_id.in_([r.id for r in registrations]))
        .order_by(VisaLetter.issued_at.desc(), VisaLetter.id.desc())
    ):
        letters.setdefault(letter.registration_id, []).append(letter)
    return [LetterRequest(r, letters.get(r.id, [])) for r in registrations]


# --- the embassy's check ------------------------------------------------------------------------


@dataclass(frozen=True)
class LetterCheck:
    """What the verification page tells whoever has a letter's code, and nothing more: whether
    it is valid, whom it invites, and to what (not when or why a letter was withdrawn)."""

    valid: bool
    passport_name: str
    nationality: str  # the country's name
    event_name: str
    starts_on: date
    ends_on: date


def check_letter(event: Event, typed_code: str) -> LetterCheck:
    """The letter of the event whose verification code was typed (any case, with or without
    dashes or spaces); a code of no letter is refused as unknown."""
    code = normalised_code(typed_code or "")
    letter = None
    if 0 < len(code) <= 20:
        letter = db.session.scalars(
            sa.select(VisaLetter)
            .join(Registration, Registration.id == VisaLetter.registration_id)
            .where(VisaLetter.code_hash == hashed(code), Registration.event_id == event.id)
        ).first()
    if letter is None:
        raise NotFound(
            "No letter of this conference has this code. Check it against the letter, "
            "character by character.",
            "code",
        )
    return LetterCheck(
        valid=letter.is_valid,
        passport_name=letter.passport_name,
        nationality=country_name(letter.nationality),
        event_name=event.name,
        starts_on=event.starts_on,
        ends_on=event.ends_on,
    )
