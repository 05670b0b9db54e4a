"""An allocation outcome in words: where a person's priority comes from, what each part
of the cost means under the run's rules, and why somebody got no place."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from doconnect.allocation.engine.result import ASSIGNED, CAPACITY_TAKEN, NO_CANDIDATE
from doconnect.core.vocabulary import data_label

REASON_LABELS = {
    ASSIGNED: gettext_lazy("Platz zugeteilt"),
    NO_CANDIDATE: gettext_lazy("kein passender Platz"),
    CAPACITY_TAKEN: gettext_lazy("passende Plätze vergeben"),
}

COST_PART_LABELS = {
    "distance": gettext_lazy("Entfernung"),
    "fit": gettext_lazy("Passung zur Zielgruppe"),
    "goal": gettext_lazy("Weg zum Ziel"),
    "preference": gettext_lazy("Wunsch der Person"),
}


@dataclass(frozen=True)
class Line:
    label: str
    value: int
    text: str


def priority_lines(
    target_groups: Sequence[str],
    support_needs: Sequence[str],
    weights: Mapping[str, Mapping[str, int]],
    group_labels: Mapping[str, str],
) -> list[Line]:
    """1 for everybody, plus each weight that applies; the lines add up to the priority."""
    lines = [Line(_("Grundwert"), 1, _("jede wartende Person"))]
    for code in target_groups:
        value = int(weights.get("target_groups", {}).get(code, 0))
        if value:
            lines.append(Line(group_labels.get(code, code), value, _("Zielgruppe")))
    for need in support_needs:
        value = int(weights.get("support_needs", {}).get(need, 0))
        if value:
            lines.append(Line(data_label(need), value, _("Unterstützungsbedarf")))
    return lines


def cost_lines(parts: Mapping[str, int], rules: Mapping[str, Any]) -> list[Line]:
    """Each part of an assigned person's cost with what it means under ``rules``."""
    return [
        Line(str(COST_PART_LABELS.get(name, name)), int(value), _cost_text(name, value, rules))
        for name, value in parts.items()
    ]


def _cost_text(name: str, value: int, rules: Mapping[str, Any]) -> str:
    if name == "distance":
        if value == 0:
            return _("im eigenen Stadtbezirk oder stadtweit")
        if value == rules.get("neighbouring"):
            return _("im Nachbarbezirk")
        if value == rules.get("unknown_district"):
            return _("Stadtbezirk der Person unbekannt")
        return _("in einem anderen Stadtbezirk")
    if name == "fit":
        return (
            _("Angebot für eine Zielgruppe der Person")
            if value == 0
            else _("Angebot offen für alle (ein Platz für die Zielgruppe passt besser)")
        )
    if name == "goal":
        if value == rules.get("no_route"):
            return _("führt nicht zum Ziel der Person")
        per_step = int(rules.get("per_step") or 0)
        steps = value // per_step if per_step else 0
        return _("%(steps)d Anschlussschritte bis zum Ziel") % {"steps": steps}
    if name == "preference":
        if value == 0:
            return _("gewünschte Angebotsart oder keine Wünsche angegeben")
        if value == rules.get("unpreferred"):
            return _("nicht unter den Wünschen der Person")
        return _("nicht der erste Wunsch")
    return ""


def holder_text(place: Mapping[str, Any], own_priority: int) -> str:
    """Why a full place went to others, from ``allocation.engine.Holders``."""
    lowest = place.get("lowest_priority")
    highest_cost = place.get("highest_cost_at_own_priority")
    if lowest is None:
        return _("ohne freie Kapazität")
    if highest_cost is None:
        return _(
            "alle %(holders)d Plätze an Personen mit höherer Priorität (mindestens "
            "%(lowest)d, hier %(own)d)"
        ) % {"holders": place["holders"], "lowest": lowest, "own": own_priority}
    return _(
        "alle %(holders)d Plätze vergeben; Personen mit gleicher Priorität haben dort "
        "höchstens Kosten %(cost)d, hier wären es %(own_cost)d – so bleiben insgesamt "
        "mehr oder besser passende Plätze besetzt"
    ) % {"holders": place["holders"], "cost": highest_cost, "own_cost": place["own_cost"]}
