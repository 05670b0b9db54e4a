"""When two sets of name and birth date may be the same person: the normalised name,
the keyed hash (HMAC-SHA256) the duplicate check looks up, and the fuzzy comparison
tolerant of typos and swapped name parts. Pure: no Django, the secret is an argument.

Normalisation: case (``casefold``), umlauts and ß spelled out (ä → ae, ß → ss, as
German registers do, so "Müller" = "Mueller"), other accents dropped (é → e, ş → s,
ł → l), apostrophes dropped, hyphens, dots, commas and spaces split a name into parts,
and the parts of given and family name are *sorted*: "Müller-Lüdenscheidt, Anna" and
"Anna Mueller Luedenscheidt" and a swap of given and family name all give
"anna luedenscheidt mueller".
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import hmac
import re
import unicodedata
from dataclasses import dataclass

from rapidfuzz import fuzz

# Letters that are spelled out or have no decomposition into base letter and accent.
_SPELLED_OUT = {
    "ä": "ae",
    "ö": "oe",
    "ü": "ue",
    "ß": "ss",
    "æ": "ae",
    "œ": "oe",
    "ø": "o",
    "ł": "l",
    "đ": "d",
    "ð": "d",
    "þ": "th",
    "ı": "i",
}
_APOSTROPHES = re.compile(r"['’`´ʼʻ]")
_SEPARATORS = re.compile(r"[^\w]+|_")

# A fuzzy candidate with the very same birth date needs this name similarity (0–100);
# one whose birth date differs by a typo (same year, and same month or same day, or
# day and month swapped) a higher one, so a common name alone does not make a pair.
SAME_DATE_THRESHOLD = 85.0
CLOSE_DATE_THRESHOLD = 92.0


@functools.lru_cache(maxsize=65536)
def name_parts(text: str) -> tuple[str, ...]:
    """The normalised parts of one name field ("Hans-Peter" → ("hans", "peter"))."""
    folded = unicodedata.normalize("NFC", text).casefold()
    folded = "".join(_SPELLED_OUT.get(c, c) for c in folded)
    folded = _APOSTROPHES.sub("", folded)
    folded = "".join(
        c for c in unicodedata.normalize("NFKD", folded) if not unicodedata.combining(c)
    )
    return tuple(part for part in _SEPARATORS.split(folded) if part)


def normalised_name(given_name: str, family_name: str) -> str:
    """Every part of both names, normalised and sorted: the order of the parts and which
    field holds them do not count."""
    return " ".join(sorted(name_parts(given_name) + name_parts(family_name)))


def compact_name(given_name: str, family_name: str) -> str:
    """Each field without its separators, the two sorted: "Hans-Peter" = "Hanspeter" =
    "Hans Peter", and a swap of the fields does not count."""
    return " ".join(sorted(("".join(name_parts(given_name)), "".join(name_parts(family_name)))))


def match_key(given_name: str, family_name: str, birth_date: dt.date | None, *, secret: str) -> str:
    """HMAC-SHA256 (hex) of the normalised name and the birth date: equal for the same
    person however the name was typed in; without the secret it cannot be recomputed
    from a guessed name, so a table of keys reveals nothing by itself."""
    message = (
        f"{normalised_name(given_name, family_name)}|{birth_date.isoformat() if birth_date else ''}"
    )
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True, slots=True)
class NameForms:
    """A name prepared once for many comparisons (slots: a bulk import keeps one per
    person on file and per line)."""

    parts: str  # normalised_name
    compact: str  # compact_name

    @classmethod
    def of(cls, given_name: str, family_name: str) -> NameForms:
        return cls(normalised_name(given_name, family_name), compact_name(given_name, family_name))


def dates_close(first: dt.date, second: dt.date) -> bool:
    """A birth date typed with one slip: same year, and the same month or the same day,
    or day and month swapped (03.04. for 04.03.)."""
    if first.year != second.year:
        return False
    swapped = (first.month, first.day) == (second.day, second.month)
    return first.month == second.month or first.day == second.day or swapped


def name_similarity(first: NameForms, second: NameForms, *, subsets: bool = False) -> float:
    """0–100: the better of the sorted parts (token sort: swapped and split names) and the
    compact fields (a missing hyphen or space). With ``subsets`` a name whose parts are all
    in the other counts as equal ("Anna Müller" and "Anna Maria Müller")."""
    score = max(fuzz.ratio(first.parts, second.parts), fuzz.ratio(first.compact, second.compact))
    if subsets and score < 100:
        score = max(score, fuzz.token_set_ratio(first.parts, second.parts))
    return float(score)


def fuzzy_score(
    new: NameForms, new_birth: dt.date, other: NameForms, other_birth: dt.date
) -> float | None:
    """How alike two persons look (0–100), or None when they are not a possible pair:
    the same birth date and a similar name, or a birth date with one slip and a nearly
    identical name."""
    if new_birth == other_birth:
        score = name_similarity(new, other, subsets=True)
        return score if score >= SAME_DATE_THRESHOLD else None
    if dates_close(new_birth, other_birth):
        score = name_similarity(new, other)
        return score if score >= CLOSE_DATE_THRESHOLD else None
    return None
