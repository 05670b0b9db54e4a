"""The pathways' reasons in the user's language: the one place that turns the stable
codes and params of the pure engine (``DeadEnd.code`` / ``params``, ``Factor.code`` /
``params`` of ``next_steps``) into plain German, or English when the user reads English.

Source strings are German, as everywhere in the UI; the English ones live in
``web/locale/en``. The CLI and JSON keep the engine's English ``reason``/``text``.
Every code in ``engine.DEAD_END_CODES`` and ``next_steps.FACTOR_CODES`` has a message
here (``MESSAGES``; a test checks it)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django.utils.functional import Promise
from django.utils.translation import gettext, ngettext, ngettext_lazy
from django.utils.translation import gettext_lazy as _

from doconnect.pathways.engine.fit import Factor
from doconnect.pathways.engine.next_steps import (
    AGE_25_TO_49,
    AGE_50_PLUS,
    AGE_UNDER_25,
    AGE_UNKNOWN,
    SIMILAR_TOO_FEW,
)
from doconnect.pathways.engine.report import DeadEnd, ReasonParam

# Destinations and offer statuses as the engine names them.
DESTINATION_LABELS: Mapping[str, Promise] = {
    "employment": _("Beschäftigung"),
    "apprenticeship": _("Ausbildung"),
    "higher_education": _("Studium"),
    "self_employment": _("Selbstständigkeit"),
    "school": _("Schule"),
}
STATUS_LABELS: Mapping[str, Promise] = {
    "active": _("aktiv"),
    "suspended": _("ausgesetzt"),
    "ended": _("beendet"),
}

# The age bands of the comparison group of participants like the person.
AGE_BAND_LABELS: Mapping[str, Promise] = {
    AGE_UNDER_25: _("unter 25 Jahre"),
    AGE_25_TO_49: _("25 bis 49 Jahre"),
    AGE_50_PLUS: _("50 Jahre und älter"),
}

# One message per code. A plural message picks its form by the named param.
MESSAGES: Mapping[str, Promise] = {
    # --- next steps: goal
    "leads_to_goal": ngettext_lazy(
        "führt in %(steps)d Schritt zu %(goal)s",
        "führt in %(steps)d Schritten zu %(goal)s",
        "steps",
    ),
    "other_goals_only": _("führt nicht zu %(goal)s, nur zu anderen Zielen"),
    # free places
    "free_places": ngettext_lazy("%(count)d freier Platz", "%(count)d freie Plätze", "count"),
    "free_places_unknown": _("freie Plätze unbekannt"),
    # proximity
    "same_district": _("im Stadtbezirk der Person (%(district)s)"),
    "city_wide": _("stadtweit"),
    "neighbouring_district": _("im Nachbarbezirk %(district)s"),
    "other_district": _("in %(district)s, nicht in der Nähe des Stadtbezirks der Person"),
    "district_unknown": _("in %(district)s (Stadtbezirk der Person unbekannt)"),
    # eligibility
    "no_age_limit": _("keine Altersgrenze"),
    "age_unknown": _("Alter unbekannt: Angebot für %(ages)s, bitte prüfen"),
    "age_fits": _("Alter %(age)d passt zu %(ages)s"),
    "age_outside": _("Alter %(age)d liegt außerhalb von %(ages)s"),
    "all_legal_branches": _("offen für alle Rechtskreise"),
    "legal_branch_accepted": _("Rechtskreis %(branch)s wird angenommen"),
    "legal_branch_not_accepted": _(
        "Rechtskreis %(branch)s wird nicht angenommen (nur %(accepted)s)"
    ),
    "target_group_open": _("offen für alle Zielgruppen"),
    "target_group_shared": ngettext_lazy(
        "Zielgruppe %(groups)s", "Zielgruppen %(groups)s", "group_count"
    ),
    "target_group_other": ngettext_lazy(
        "nur für die Zielgruppe %(groups)s", "nur für die Zielgruppen %(groups)s", "group_count"
    ),
    # observed outcomes
    "no_leavers": _("noch keine Abgänge beobachtet"),
    "too_few_leavers": ngettext_lazy(
        "zu wenige Abgänge für ein Urteil (%(leavers)d Abgang, mindestens %(min_leavers)d nötig)",
        "zu wenige Abgänge für ein Urteil (%(leavers)d Abgänge, mindestens %(min_leavers)d nötig)",
        "leavers",
    ),
    "outcome_good": _("Verbleib früherer Teilnehmender gut: %(shares)s"),
    "outcome_poor": _("Verbleib früherer Teilnehmender schwach: %(shares)s"),
    "outcome_similar_good": _(
        "Verbleib von Teilnehmenden wie der Person (%(similar)s) gut: %(shares)s"
    ),
    "outcome_similar_poor": _(
        "Verbleib von Teilnehmenden wie der Person (%(similar)s) schwach: %(shares)s"
    ),
    # why not
    "offer_closed": _("das Angebot ist %(status)s"),
    "already_taken": _("hat bereits teilgenommen"),
    "no_free_place": _("kein freier Platz"),
    "dead_end": _("Sackgasse: keine Kette aktiver Angebote führt zu einem Ziel"),
    # --- dead ends
    "no_follow_on": _("kein Anschluss"),
    "closed_offer": ngettext_lazy(
        "der einzige Weg führt über das geschlossene Angebot %(offers)s",
        "alle Wege führen über geschlossene Angebote: %(offers)s",
        "count",
    ),
    "cycle": _("die Anschlüsse führen nur im Kreis (%(offers)s)"),
    "non_goal_destination": ngettext_lazy(
        "die Anschlüsse führen nur zu %(destinations)s, und das ist kein Ziel",
        "die Anschlüsse führen nur zu %(destinations)s, und das sind keine Ziele",
        "count",
    ),
    "dead_end_follow_ons": _(
        "die Anschlüsse führen nur zu Sackgassen oder geschlossenen Angeboten: %(offers)s"
    ),
}
# Added to ``outcome_good`` / ``outcome_poor`` when they stand in for a comparison group.
SIMILAR_TOO_FEW_NOTE = _(
    "zu wenige vergleichbare Teilnehmende (%(similar)s), daher alle Abgänge des Angebots"
)
AGE_UNKNOWN_NOTE = _("Alter der Person unbekannt, daher alle Abgänge des Angebots")
# Added to ``dead_end_follow_ons`` when some follow-ons are destinations that are no goal.
NOT_GOALS = ngettext_lazy(
    "%(destinations)s ist kein Ziel", "%(destinations)s sind keine Ziele", "destination_count"
)


def _label(labels: Mapping[str, Promise], key: str) -> str:
    return str(labels.get(key, key))


def _names(names: Sequence[str], more: int) -> str:
    text = ", ".join(names)
    if more:
        text += " " + ngettext("und %(more)d weiteres", "und %(more)d weitere", more) % {
            "more": more
        }
    return text


def _ages(min_age: ReasonParam, max_age: ReasonParam) -> str:
    if min_age is not None and max_age is not None:
        return gettext("%(min_age)s–%(max_age)s") % {"min_age": min_age, "max_age": max_age}
    if min_age is not None:
        return gettext("ab %(min_age)s") % {"min_age": min_age}
    return gettext("bis %(max_age)s") % {"max_age": max_age}


def _shares(params: Mapping[str, ReasonParam]) -> str:
    parts = []
    for months in (6, 12):
        reached, known = params.get(f"reached_{months}m"), params.get(f"known_{months}m")
        if isinstance(reached, int) and isinstance(known, int) and known:
            parts.append(
                gettext(
                    "%(reached)d von %(known)d (%(percent)d %%) erreichten binnen %(months)d "
                    "Monaten ein Ziel"
                )
                % {
                    "reached": reached,
                    "known": known,
                    "percent": round(100 * reached / known),
                    "months": months,
                }
            )
    return "; ".join(parts)


def _similar(band: str, groups: Sequence[str], group_labels: Mapping[str, str]) -> str:
    """The comparison group in words: age band at leaving and the shared target groups."""
    ages = gettext("%(ages)s beim Abgang") % {"ages": _label(AGE_BAND_LABELS, band)}
    if not groups:
        return ages
    return ngettext(
        "%(ages)s, Zielgruppe %(groups)s",
        "%(ages)s, mindestens eine der Zielgruppen %(groups)s",
        len(groups),
    ) % {"ages": ages, "groups": ", ".join(group_labels.get(g, g) for g in groups)}


def _strings(value: ReasonParam) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, tuple):
        return value
    return (str(value),)


def _values(
    code: str, params: Mapping[str, ReasonParam], group_labels: Mapping[str, str]
) -> dict[str, object]:
    """The params as the message's placeholders want them (names, labels, lists)."""
    values: dict[str, object] = dict(params)
    more = params.get("more")
    more_count = more if isinstance(more, int) else 0
    if "goal" in params:
        goal = params["goal"]
        values["goal"] = _label(DESTINATION_LABELS, goal) if isinstance(goal, str) else "–"
    if "status" in params:
        values["status"] = _label(STATUS_LABELS, str(params["status"]))
    if "branch" in params and params["branch"] is None:
        values["branch"] = gettext("keiner")
    if "accepted" in params:
        values["accepted"] = ", ".join(_strings(params["accepted"]))
    if "groups" in params:
        groups = _strings(params["groups"])
        values["groups"] = ", ".join(group_labels.get(g, g) for g in groups)
        values["group_count"] = len(groups)
    if "district" in params and params["district"] is None:
        values["district"] = "–"
    if code in ("age_unknown", "age_fits", "age_outside"):
        values["ages"] = _ages(params.get("min_age"), params.get("max_age"))
    if code in ("outcome_good", "outcome_poor", "outcome_similar_good", "outcome_similar_poor"):
        values["shares"] = _shares(params)
    if isinstance(params.get("age_band"), str):
        values["similar"] = _similar(
            str(params["age_band"]), _strings(params.get("similar_groups")), group_labels
        )
    if "offers" in params:
        offers = _strings(params["offers"])
        statuses = _strings(params.get("statuses"))
        named = [
            f"{offer} ({_label(STATUS_LABELS, status)})" if status and status != "active" else offer
            for offer, status in zip(offers, statuses or ("",) * len(offers), strict=True)
        ]
        values["offers"] = _names(named, more_count)
    if "destinations" in params:
        destinations = [_label(DESTINATION_LABELS, d) for d in _strings(params["destinations"])]
        extra = params.get("destination_more") if code == "dead_end_follow_ons" else more
        values["destinations"] = _names(destinations, extra if isinstance(extra, int) else 0)
    return values


def render_reason(
    code: str,
    params: Mapping[str, ReasonParam],
    *,
    group_labels: Mapping[str, str] | None = None,
) -> str:
    """The reason with this code in the active language. Raises ``KeyError`` for a
    code without a message (a test keeps that from happening)."""
    values = _values(code, params, group_labels or {})
    text: str = MESSAGES[code] % values
    if code == "dead_end_follow_ons" and _strings(params.get("destinations")):
        text += "; " + NOT_GOALS % values
    if code in ("outcome_good", "outcome_poor"):
        if params.get("comparison") == SIMILAR_TOO_FEW and "similar" in values:
            text += " (" + SIMILAR_TOO_FEW_NOTE % values + ")"
        elif params.get("comparison") == AGE_UNKNOWN:
            text += " (" + AGE_UNKNOWN_NOTE + ")"
    return text


def factor_text(factor: Factor, group_labels: Mapping[str, str] | None = None) -> str:
    """One factor of a next step (or a "why not") in the active language."""
    return render_reason(factor.code, factor.params, group_labels=group_labels)


def dead_end_text(dead_end: DeadEnd) -> str:
    """Why an offer is a dead end, in the active language."""
    return render_reason(dead_end.code, dead_end.params)


class FactorTexts:
    """``factor_text`` for the many factors of one page (its next steps and every "why
    not"): a factor repeated across offers (the same age limit, the same target group)
    is rendered once. For one language and one set of group labels."""

    def __init__(self, group_labels: Mapping[str, str] | None = None) -> None:
        self._labels = group_labels
        self._texts: dict[Factor, str] = {}

    def __call__(self, factor: Factor) -> str:
        text = self._texts.get(factor)
        if text is None:
            text = self._texts[factor] = factor_text(factor, self._labels)
        return text
