"""KldB 2010 (Klassifikation der Berufe) helpers.

A full code has five digits: Berufsbereich (1 digit), Berufshauptgruppe (2),
Berufsgruppe (3), Berufsuntergruppe (4), Berufsgattung (5). The fifth digit is the skill
level (Anforderungsniveau): 1 Helfer, 2 Fachkraft, 3 Spezialist, 4 Experte. Codes are
strings (``"01104"`` keeps its leading zero; Berufsbereich 0 is the military).

Distance between two 5-digit codes (``distance``):

- ``occupation``: how far apart the occupations are in the hierarchy of the first four
  digits: 0 same Berufsuntergruppe (4 digits), 1 same Berufsgruppe (3), 2 same
  Berufshauptgruppe (2), 3 same Berufsbereich (1), 4 different Berufsbereich;
- ``skill_step``: skill level of ``b`` minus skill level of ``a`` (positive: ``b`` asks
  for more);
- ``total = occupation + |skill_step|`` (0 … 7): 0 the same code, 1 the same
  Berufsuntergruppe one skill level apart or the same Berufsgruppe at the same level, …
  It is a metric (a sum of two metrics).
"""

from __future__ import annotations

from dataclasses import dataclass

LEVEL_NAMES: dict[int, str] = {
    1: "berufsbereich",
    2: "berufshauptgruppe",
    3: "berufsgruppe",
    4: "berufsuntergruppe",
    5: "berufsgattung",
}
SKILL_LEVELS: dict[int, str] = {1: "helfer", 2: "fachkraft", 3: "spezialist", 4: "experte"}
MAX_DISTANCE = 7


class KldbError(ValueError):
    """A code that is not a KldB 2010 code of the digits asked for."""


def validate(code: str, digits: int | None = 5) -> str:
    """The code, checked: a string of ``digits`` digits (``None``: 1 to 5 digits); a
    5-digit code must end in a skill level 1–4."""
    if not isinstance(code, str):
        raise KldbError(f"KldB code {code!r}: must be a string of digits (leading zeros)")
    if not code.isascii() or not code.isdigit():
        raise KldbError(f"KldB code {code!r}: only the digits 0-9 are allowed")
    if digits is None:
        if not 1 <= len(code) <= 5:
            raise KldbError(f"KldB code {code!r}: has {len(code)} digits, expected 1 to 5")
    elif len(code) != digits:
        raise KldbError(f"KldB code {code!r}: has {len(code)} digits, expected {digits}")
    if len(code) == 5 and int(code[4]) not in SKILL_LEVELS:
        raise KldbError(f"KldB code {code!r}: the fifth digit (skill level) must be 1, 2, 3 or 4")
    return code


@dataclass(frozen=True)
class KldbLevels:
    berufsbereich: str
    berufshauptgruppe: str
    berufsgruppe: str
    berufsuntergruppe: str
    berufsgattung: str
    skill_level: int

    @property
    def skill_name(self) -> str:
        return SKILL_LEVELS[self.skill_level]


def levels(code: str) -> KldbLevels:
    """The five levels of a 5-digit code and its skill level."""
    validate(code)
    return KldbLevels(code[:1], code[:2], code[:3], code[:4], code, int(code[4]))


def at_level(code: str, digits: int) -> str:
    """The code cut to ``digits`` (1–5): ``at_level("26123", 3) == "261"``."""
    if digits not in LEVEL_NAMES:
        raise KldbError(f"level {digits!r}: expected 1, 2, 3, 4 or 5 digits")
    validate(code, None)
    if len(code) < digits:
        raise KldbError(f"KldB code {code!r}: too short for level {digits}")
    return code[:digits]


def skill_level(code: str) -> int:
    """The Anforderungsniveau (fifth digit) of a 5-digit code."""
    return int(validate(code)[4])


@dataclass(frozen=True)
class KldbDistance:
    occupation: int  # 0 same 4-digit … 4 different Berufsbereich
    skill_step: int  # skill level of b − skill level of a
    total: int  # occupation + |skill_step|

    @property
    def shared_level(self) -> str | None:
        """The finest level both codes share in the first four digits (None: none)."""
        return LEVEL_NAMES.get(4 - self.occupation)


def distance(a: str, b: str) -> KldbDistance:
    """The hierarchy distance between two 5-digit codes (see the module text)."""
    validate(a)
    validate(b)
    common = 0
    while common < 4 and a[common] == b[common]:
        common += 1
    step = int(b[4]) - int(a[4])
    return KldbDistance(4 - common, step, 4 - common + abs(step))
