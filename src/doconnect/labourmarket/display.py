"""How the labour-market pages show their figures: numbers in the reader's language,
the sign of a figure kept back (never 0), and the words for indicators, months,
occupations, statuses, trends and the engine's reason codes (one mapping each)."""

from __future__ import annotations

import dataclasses
import datetime as dt

from django.utils.formats import date_format, number_format
from django.utils.translation import gettext_lazy

from doconnect.charts.chart import Cell, Chart
from doconnect.labourmarket.analyses import PotentialRow
from doconnect.labourmarket.engine.kldb import SKILL_LEVELS
from doconnect.labourmarket.models import Indicator

SUPPRESSED = "*"  # a count kept back (small-number rule or the source's own sign)

STATUS_LABELS = {
    "shortage": gettext_lazy("Engpass"),
    "balanced": gettext_lazy("ausgeglichen"),
    "surplus": gettext_lazy("Überhang"),
    "unknown": gettext_lazy("unbestimmt"),
}
TREND_LABELS = {
    "tightening": gettext_lazy("angespannter"),
    "easing": gettext_lazy("entspannter"),
    "unchanged": gettext_lazy("unverändert"),
}
SKILL_LABELS = {
    "helfer": gettext_lazy("Helfer"),
    "fachkraft": gettext_lazy("Fachkraft"),
    "spezialist": gettext_lazy("Spezialist"),
    "experte": gettext_lazy("Experte"),
}
# The engine's reason codes (``market/bridges.py``) in words, one mapping.
REASON_TEXTS = {
    "same_berufsuntergruppe": gettext_lazy(
        "Beide Berufe gehören zur selben Berufsuntergruppe (vierstellig): eng verwandte "
        "Tätigkeiten."
    ),
    "same_berufsgruppe": gettext_lazy(
        "Beide Berufe gehören zur selben Berufsgruppe (dreistellig)."
    ),
    "same_berufshauptgruppe": gettext_lazy(
        "Beide Berufe gehören zur selben Berufshauptgruppe (zweistellig)."
    ),
    "same_berufsbereich": gettext_lazy("Beide Berufe gehören zum selben Berufsbereich."),
    "observed_moves": gettext_lazy(
        "In den Erwerbsverläufen sind Personen schon aus diesem Beruf in den Zielberuf gewechselt."
    ),
    "skill_up": gettext_lazy("Der Zielberuf verlangt ein höheres Anforderungsniveau."),
    "skill_down": gettext_lazy("Der Zielberuf verlangt ein niedrigeres Anforderungsniveau."),
    "needs_offer": gettext_lazy(
        "Der Wechsel braucht eine Qualifizierung: ein Angebot mit freien Plätzen."
    ),
    "no_offer_places": gettext_lazy(
        "Kein passendes Qualifizierungsangebot hat freie Plätze – hier fehlt ein Angebot."
    ),
    "offer_same_occupation": gettext_lazy(
        "Mindestens ein Angebot qualifiziert genau für den Zielberuf."
    ),
    "offer_same_berufsgruppe": gettext_lazy(
        "Mindestens ein Angebot qualifiziert für einen Beruf derselben Berufsgruppe "
        "(dreistellig) wie der Zielberuf."
    ),
    "offer_any_occupation": gettext_lazy(
        "Mindestens ein Angebot ohne Berufsangabe ist mitgezählt (für jeden Beruf)."
    ),
    "gap_closed": gettext_lazy(
        "Die Lücke im Zielberuf ist durch höher eingestufte Wege schon geschlossen."
    ),
    "job_seekers_counted": gettext_lazy(
        "Die Arbeitsuchenden dieses Berufs sind schon bei höher eingestuften Wegen gezählt."
    ),
}
MATCH_LABELS = {
    "exact": gettext_lazy("gleicher Beruf"),
    "berufsgruppe": gettext_lazy("gleiche Berufsgruppe"),
    "any": gettext_lazy("ohne Berufsangabe"),
}
FALLBACK_TEXTS = {
    "model_not_better": gettext_lazy(
        "Vorquartal gezeigt: das Modell war im Rückblick nicht genauer."
    ),
    "too_short": gettext_lazy("Vorquartal gezeigt: die Reihe ist für einen Rückblick zu kurz."),
}


def shown_number(cell: Cell) -> Cell:
    """A table cell as the page shows it: a number with the language's thousands
    separator and decimal mark (German: 1.234,5); text and signs as they are. Exports
    take the chart's own cells, raw numbers."""
    if isinstance(cell, bool) or not isinstance(cell, int | float):
        return cell
    return number_format(cell, force_grouping=True)


def for_display(chart: Chart | None) -> Chart | None:
    """The chart with its table's numbers as shown (``shown_number``); None stays None."""
    if chart is None:
        return chart
    rows = [[shown_number(cell) for cell in row] for row in chart.rows]
    return dataclasses.replace(chart, rows=rows)


def shown_count(value: int | None) -> Cell:
    """A count of persons as shown: the sign ``*`` when it is kept back."""
    return SUPPRESSED if value is None else value


def rounded(value: float | None, indicator: str) -> Cell:
    """A figure of ``indicator`` rounded as the pages show it (a rate to one place)."""
    if value is None:
        return None
    return round(value, 1) if indicator == Indicator.UNEMPLOYMENT_RATE else round(value)


def figure_text(value: Cell, indicator: str) -> str:
    """A figure as a chart's label says it, in the reader's language; ``–`` for none."""
    if isinstance(value, int | float):
        places = 1 if indicator == Indicator.UNEMPLOYMENT_RATE else 0
        return number_format(value, places, force_grouping=True)
    return "–" if value is None else str(value)


def indicator_label(indicator: str) -> str:
    return str(Indicator(indicator).label)


def month_label(period: str) -> str:
    return date_format(dt.date(int(period[:4]), int(period[5:7]), 1), "M Y")


def occupation_label(key: str, level: int | str) -> str:
    if level == "skill":
        return str(SKILL_LABELS.get(SKILL_LEVELS.get(int(key), ""), key))
    if len(key) == 5 and key[4].isdigit() and int(key[4]) in SKILL_LEVELS:
        return f"{key} ({SKILL_LABELS[SKILL_LEVELS[int(key[4])]]})"
    return key


def reason_sentences(row: PotentialRow) -> list[str]:
    return [str(REASON_TEXTS.get(code, code)) for code in row.reasons]
