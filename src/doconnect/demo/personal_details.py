"""The personal details of the demo city's persons: synthetic names by origin (given and
family name drawn independently), birth date, an example.org address for most, street
and postcode in their district. Pure, no Django."""

from __future__ import annotations

import datetime as dt
import functools
import unicodedata

import numpy as np

from doconnect.demo import careers as cr
from doconnect.demo.careers import DIVERSE, FEMALE, UNSPECIFIED
from doconnect.demo.districts import DISTRICTS, STREETS
from doconnect.demo.names import NAMES, ORIGINS
from doconnect.demo.rows import Row

# Name origins: the city's mix, and the mix among refugees.
ORIGIN_SHARES = np.array([0.62, 0.14, 0.09, 0.07, 0.04, 0.04])
REFUGEE_ORIGIN_SHARES = np.array([0.0, 0.03, 0.0, 0.6, 0.35, 0.02])


@functools.lru_cache(maxsize=4096)
def _fold(text: str) -> str:
    """ASCII for e-mail addresses: ä → ae, ş → s, ł → l, …"""
    text = (
        text.replace("ä", "ae")
        .replace("ö", "oe")
        .replace("ü", "ue")
        .replace("ß", "ss")
        .replace("Ä", "Ae")
        .replace("Ö", "Oe")
        .replace("Ü", "Ue")
        .replace("ł", "l")
        .replace("Ł", "L")
        .replace("ı", "i")
    )
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if c.isascii() and (c.isalnum() or c == "-")).lower()


def _feminine(family: str) -> str:
    if family.endswith("ski"):
        return family[:-1] + "a"
    if family.endswith("cki"):
        return family[:-1] + "a"
    return family


def personal_details(rng: np.random.Generator, pop: cr.Population) -> list[Row]:
    """Synthetic names (given and family name drawn independently by origin), birth
    date, an example.org address for most, street and postcode in the district."""
    n = len(pop.segment)
    origin = np.where(
        pop.segment == cr.REFUGEE,
        rng.choice(len(ORIGINS), n, p=REFUGEE_ORIGIN_SHARES),
        rng.choice(len(ORIGINS), n, p=ORIGIN_SHARES),
    )
    u_given, u_family, u_form = rng.random(n), rng.random(n), rng.random(n)
    street = rng.integers(0, len(STREETS), n)
    house = rng.integers(1, 120, n)
    day_of_year = rng.integers(0, 365, n)
    has_email = rng.random(n) < 0.6
    u_postcode = rng.random(n)
    rows: list[Row] = []
    for i in range(n):
        pool = NAMES[ORIGINS[int(origin[i])]]
        gender = int(pop.gender[i])
        female = gender == FEMALE or (gender in (DIVERSE, UNSPECIFIED) and u_form[i] < 0.5)
        givens = pool.female if female else pool.male
        given = givens[int(u_given[i] * len(givens))]
        family = pool.family[int(u_family[i] * len(pool.family))]
        if female:
            family = _feminine(family)
        birth = dt.date(int(pop.birth_year[i]), 1, 1) + dt.timedelta(days=int(day_of_year[i]))
        info = DISTRICTS[int(pop.district[i])]
        email = f"{_fold(given)}.{_fold(family)}{i % 97}@example.org" if has_email[i] else ""
        rows.append(
            (
                i + 1,
                given,
                family,
                birth.isoformat(),
                email,
                "",
                f"{STREETS[int(street[i])]} {int(house[i])}",
                info.postcodes[int(u_postcode[i] * len(info.postcodes))],
                int(pop.district[i]) + 1,
            )
        )
    return rows
