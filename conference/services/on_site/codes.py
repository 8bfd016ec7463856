"""The secrets that badges and letters carry, never stored.

A badge's QR token and a letter's verification code are each an HMAC, under the app's secret
key, of a random nonce kept on the row; the row keeps only the secret's SHA-256 hash to be found
by it. So the badge can be printed again with the same code, while a copy of the database alone
neither prints a badge nor verifies a letter.
"""

import base64
import hashlib
import hmac
import re
import secrets

from flask import current_app

# Letters a person reads and types without confusing them (no 0/O, 1/I/L).
READABLE = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


# What `badge_token` writes (26 characters of base 32), in whatever case a scanner types it.
BADGE_TOKEN = re.compile(r"[A-Z2-7]{26}", re.IGNORECASE)


def new_nonce() -> str:
    return secrets.token_hex(16)


def _digest(purpose: str, nonce: str) -> bytes:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"{purpose}:{nonce}".encode(), hashlib.sha256).digest()


def badge_token(nonce: str) -> str:
    """The QR code's content: 128 bits, in the QR alphabet of capitals and digits."""
    return base64.b32encode(_digest("badge", nonce)[:16]).decode().rstrip("=")


def letter_code(nonce: str) -> str:
    """The code an embassy types into the verification page: 12 readable characters (about 59
    bits, and the page is rate-limited), written in groups of four."""
    number = int.from_bytes(_digest("visa-letter", nonce), "big")
    characters = []
    for _ in range(12):
        number, index = divmod(number, len(READABLE))
        characters.append(READABLE[index])
    code = "".join(characters)
    return "-".join(code[i : i + 4] for i in range(0, 12, 4))


def normalised_code(typed: str) -> str:
    """A typed letter code as `letter_code` writes it: capitals, groups of four, no spaces."""
    bare = "".join(c for c in typed.upper() if c.isalnum())
    return "-".join(bare[i : i + 4] for i in range(0, len(bare), 4))


def hashed(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()
