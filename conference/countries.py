"""Countries by their ISO 3166-1 alpha-2 code: the name people use, and lists in reading order.

Forms, pages, exports and the dashboard all name and sort countries through this module.
"""

import unicodedata
from collections.abc import Iterable
from functools import cache

import pycountry


def country_name(code: str | None) -> str:
    """The name people use ("Bolivia", not "Bolivia, Plurinational State of"); an unknown code
    is shown as it is."""
    if not code:
        return ""
    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        return code
    return getattr(country, "common_name", None) or country.name


def reading_order(name: str) -> str:
    """The key that sorts names as people read them: accents folded, case ignored, so Åland
    Islands comes under A and Türkiye under T."""
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def by_name(codes: Iterable[str]) -> list[tuple[str, str]]:
    """(code, name) for each code, sorted by name in reading order."""
    named = ((code, country_name(code)) for code in codes)
    return sorted(named, key=lambda pair: reading_order(pair[1]))


@cache
def every_country() -> tuple[tuple[str, str], ...]:
    """Every ISO 3166-1 country as (code, name), in reading order."""
    return tuple(by_name(country.alpha_2 for country in pycountry.countries))
