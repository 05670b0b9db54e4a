"""The scoring in words, for the decision pages (internal and public): the rules, and
for each criterion how far its weight may move before another option comes first."""

from __future__ import annotations

from fractions import Fraction

from django.utils import formats
from django.utils.translation import gettext as _

from doconnect.decisions.engine.scoring import CriterionSensitivity, Scoring
from doconnect.decisions.engine.table import Table

OFFICE = "Koordination der Beschäftigungsförderung"


def number(value: Fraction | float, places: int = 2) -> str:
    """A figure in the active language's format, without needless trailing zeros."""
    text = formats.number_format(float(value), decimal_pos=places, use_l10n=True)
    separator = formats.get_format("DECIMAL_SEPARATOR")
    if separator in text:
        text = text.rstrip("0").rstrip(separator)
    return text


def points(value: Fraction | float) -> float:
    """A score or contribution (0 to 1) as points from 0 to 100, one decimal."""
    return round(float(value) * 100, 1)


def decided_by(label: str) -> str:
    """Who decided, as the public reads it: the full name on record, else the office."""
    return label or _(OFFICE)


def _option(table: Table, key: str) -> str:
    row = table.option(key)
    return row.label if row else key


def sensitivity_line(table: Table, s: CriterionSensitivity) -> str:
    """One criterion: lowering and raising its weight, each in one sentence."""
    criterion = table.criterion(s.criterion)
    label = criterion.label if criterion else s.criterion
    if s.alone:
        return _(
            "‚%(criterion)s‘ ist das einzige Kriterium mit Gewicht: sein Gewicht allein "
            "ändert die Rangfolge nicht."
        ) % {"criterion": label}
    parts = []
    if s.below is None:
        parts.append(
            _("Auch mit dem Gewicht 0 für ‚%(criterion)s‘ bleibt die erste Stelle gleich.")
            % {"criterion": label}
        )
    else:
        template = (
            _(
                "Wenn das Gewicht von ‚%(criterion)s‘ auf %(weight)s oder darunter fällt "
                "(Anteil %(share)s statt %(now)s), liegt ‚%(option)s‘ vorn."
            )
            if s.below.at_boundary
            else _(
                "Wenn das Gewicht von ‚%(criterion)s‘ unter %(weight)s fällt "
                "(Anteil %(share)s statt %(now)s), liegt ‚%(option)s‘ vorn."
            )
        )
        parts.append(
            template
            % {
                "criterion": label,
                "weight": number(s.below.weight),
                "share": number(s.below.share),
                "now": number(s.share),
                "option": _option(table, s.below.option),
            }
        )
    if s.above is None:
        parts.append(
            _("Wie hoch das Gewicht von ‚%(criterion)s‘ auch steigt: die erste Stelle bleibt.")
            % {"criterion": label}
        )
    else:
        template = (
            _(
                "Wenn das Gewicht von ‚%(criterion)s‘ auf %(weight)s oder darüber steigt "
                "(Anteil %(share)s statt %(now)s), liegt ‚%(option)s‘ vorn."
            )
            if s.above.at_boundary
            else _(
                "Wenn das Gewicht von ‚%(criterion)s‘ über %(weight)s steigt "
                "(Anteil %(share)s statt %(now)s), liegt ‚%(option)s‘ vorn."
            )
        )
        parts.append(
            template
            % {
                "criterion": label,
                "weight": number(s.above.weight),
                "share": number(s.above.share),
                "now": number(s.share),
                "option": _option(table, s.above.option),
            }
        )
    return " ".join(parts)


def smallest_change_line(table: Table, result: Scoring) -> str:
    change = result.smallest_change
    if change is None:
        return _("Keine Änderung eines einzelnen Gewichts bringt eine andere Option nach vorn.")
    criterion = table.criterion(change.criterion)
    values = {
        "criterion": criterion.label if criterion else change.criterion,
        "change": number(change.change),
        "option": _option(table, change.flip.option),
        "weight": number(change.flip.weight),
    }
    if change.lower:
        return (
            _(
                "Die kleinste Änderung, die die Rangfolge kippt: das Gewicht von "
                "‚%(criterion)s‘ auf %(weight)s senken (Anteil um %(change)s kleiner) – dann "
                "liegt ‚%(option)s‘ vorn."
            )
            % values
        )
    return (
        _(
            "Die kleinste Änderung, die die Rangfolge kippt: das Gewicht von ‚%(criterion)s‘ "
            "auf %(weight)s erhöhen (Anteil um %(change)s größer) – dann liegt ‚%(option)s‘ vorn."
        )
        % values
    )
