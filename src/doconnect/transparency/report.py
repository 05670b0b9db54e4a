"""The yearly report as plain data: protected tables and German sentences.

``build_content(figures, threshold, demo)`` turns a year's raw figures
(``selectors.YearFigures``) into the report's content — the JSON a ``PublishedReport``
stores and every page, PDF and CSV is rendered from. Every table goes through
``protection`` (two-way tables through ``doconnect.transparency.engine.protect`` and the margin
rule, one-way counts through the margin rule); the sentences are written only from
figures that are published, so no text gives away a hidden figure.

Content layout (JSON)::

    {"year", "as_of", "threshold", "demo", "complete_year", "title",
     "summary": [paragraph …], "glossary": [[term, explanation] …],
     "sections": [{"key", "heading", "paragraphs": […], "tables": [table …]}],
     "hidden": n}
    table = {"key", "caption", "row_title", "unit", "columns": […],
             "rows": [{"label", "cells": [int | None …], "total": int | None}],
             "totals": {"cells": […], "total": int | None},
             "row_totals": bool, "notes": […], "hidden": n}

``None`` is a hidden figure, shown as ``*`` (``SUPPRESSED``).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from doconnect.offers.models import Funder, OfferKind
from doconnect.transparency.protection import protect_counts, protect_table
from doconnect.transparency.selectors import (
    NO_DISTRICT,
    NO_GROUP,
    OUTCOME_CATEGORIES,
    OUTCOME_HORIZON,
    YearFigures,
)

SUPPRESSED = "*"
NO_GROUP_LABEL = gettext_lazy("ohne Zielgruppe")  # the label of persons without a group


def number(value: int) -> str:
    """A whole number the German way: 4.210."""
    return f"{value:,}".replace(",", ".")


def _percent(part: int, whole: int) -> str:
    share = Decimal(100 * part) / Decimal(whole)
    return str(share.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _count(value: int | None, threshold: int) -> str:
    return _("weniger als %(n)s") % {"n": threshold} if value is None else number(value)


OUTCOME_LABELS = {
    "work": gettext_lazy("in Arbeit"),
    "training": gettext_lazy("in Ausbildung, Studium oder Schule"),
    "support": gettext_lazy("in einem weiteren Angebot, Weiterbildung oder geförderter Arbeit"),
    "unemployed": gettext_lazy("arbeitslos"),
    "other": gettext_lazy("anderes oder unbekannt"),
}
NO_DISTRICT_LABEL = gettext_lazy("ohne Stadtbezirk (stadtweit)")
NO_ANSWER_LABEL = gettext_lazy("ohne Angabe")
NO_DATA_LABELS = (NO_DISTRICT_LABEL, NO_ANSWER_LABEL)
# The tables' column headers: stored German like every label of the content; a page
# shows them in the reader's language (``render.for_reader``).
KIND_HEADER = gettext_lazy("Angebotsart")
DISTRICT_HEADER = gettext_lazy("Stadtbezirk")
GROUP_HEADER = gettext_lazy("Zielgruppe")
OFFERS_HEADER = gettext_lazy("Angebote")
PLACES_HEADER = gettext_lazy("Plätze")
HEADER_LABELS = (KIND_HEADER, DISTRICT_HEADER, GROUP_HEADER, OFFERS_HEADER, PLACES_HEADER)


def outcome_labels() -> dict[str, str]:
    return {code: str(label) for code, label in OUTCOME_LABELS.items()}


def _label(value: str, labels: dict[str, str], missing: str) -> str:
    return labels.get(value, value) if value else missing


def one_way_table(
    *,
    key: str,
    caption: str,
    row_title: str,
    unit: str,
    labels: Sequence[str],
    columns: Sequence[tuple[str, Sequence[int]]],
    threshold: int,
    notes: Sequence[str] = (),
) -> dict[str, Any]:
    """Rows of one dimension with one or more count columns, each column protected
    on its own with its total (a column sum, not a two-way table)."""
    protected = [protect_counts(list(values), threshold) for _name, values in columns]
    return {
        "key": key,
        "caption": caption,
        "row_title": row_title,
        "unit": unit,
        "columns": [name for name, _values in columns],
        "rows": [
            {"label": label, "cells": [p.values[i] for p in protected], "total": None}
            for i, label in enumerate(labels)
        ],
        "totals": {"cells": [p.total for p in protected], "total": None},
        "row_totals": False,
        "notes": list(notes),
        "hidden": sum(p.hidden for p in protected),
    }


def two_way_table(
    *,
    key: str,
    caption: str,
    row_title: str,
    unit: str,
    row_labels: Sequence[str],
    col_labels: Sequence[str],
    cells: Sequence[Sequence[int]],
    threshold: int,
    notes: Sequence[str] = (),
) -> dict[str, Any]:
    protected = protect_table(cells, threshold, columns=len(col_labels))
    return {
        "key": key,
        "caption": caption,
        "row_title": row_title,
        "unit": unit,
        "columns": list(col_labels),
        "rows": [
            {"label": label, "cells": protected.cells[i], "total": protected.row_totals[i]}
            for i, label in enumerate(row_labels)
        ],
        "totals": {"cells": protected.col_totals, "total": protected.grand_total},
        "row_totals": True,
        "notes": list(notes),
        "hidden": protected.hidden,
    }


def _matrix(
    counts: Counter[tuple[str, str]] | dict[tuple[str, str], int],
    rows: Sequence[str],
    cols: Sequence[str],
) -> list[list[int]]:
    return [[int(counts.get((r, c), 0)) for c in cols] for r in rows]


def _districts(f: YearFigures, counts: Counter[tuple[str, str]]) -> list[str]:
    """Every district, and "without district" only when someone is counted there."""
    return [
        d
        for d in f.districts
        if d != NO_DISTRICT or any(k[0] == d and v for k, v in counts.items())
    ]


def _money(thousands: int) -> str:
    """An amount in thousand euros in words: 48,4 Millionen Euro or 830 Tausend Euro."""
    if thousands >= 1000:
        millions = (Decimal(thousands) / 1000).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        return _("%(n)s Millionen Euro") % {"n": str(millions).replace(".", ",")}
    return _("%(n)s Tausend Euro") % {"n": number(thousands)}


def _offers_section(f: YearFigures, threshold: int) -> dict[str, Any]:
    kinds = [k for k in OfferKind.values if f.offers_by_kind[k]]
    kind_labels = dict(OfferKind.choices)
    districts = [d for d in f.districts if f.offers_by_district[d] or d != NO_DISTRICT]
    by_kind = one_way_table(
        key="offers_by_kind",
        caption=_("Angebote und Plätze im Jahr %(year)s nach Angebotsart") % {"year": f.year},
        row_title=str(KIND_HEADER),
        unit=_("Anzahl"),
        labels=[str(kind_labels[k]) for k in kinds],
        columns=[
            (str(OFFERS_HEADER), [f.offers_by_kind[k] for k in kinds]),
            (str(PLACES_HEADER), [f.places_by_kind[k] for k in kinds]),
        ],
        threshold=threshold,
    )
    by_district = one_way_table(
        key="offers_by_district",
        caption=_("Angebote und Plätze im Jahr %(year)s nach Stadtbezirk") % {"year": f.year},
        row_title=str(DISTRICT_HEADER),
        unit=_("Anzahl"),
        labels=[d or str(NO_DISTRICT_LABEL) for d in districts],
        columns=[
            (str(OFFERS_HEADER), [f.offers_by_district[d] for d in districts]),
            (str(PLACES_HEADER), [f.places_by_district[d] for d in districts]),
        ],
        threshold=threshold,
    )
    offers_total, places_total = by_kind["totals"]["cells"]
    providers = protect_counts([f.providers], threshold).total
    paragraphs = []
    if sum(f.offers_by_kind.values()):
        paragraphs.append(
            _(
                "Im Jahr %(year)s boten %(providers)s Träger %(offers)s Angebote mit "
                "%(places)s Plätzen an."
            )
            % {
                "year": f.year,
                "providers": _count(providers, threshold),
                "offers": _count(offers_total, threshold),
                "places": _count(places_total, threshold),
            }
        )
        shown = [(row["label"], row["cells"][1]) for row in by_kind["rows"]]
        shown = [(label, places) for label, places in shown if places is not None]
        if shown and places_total:
            label, places = max(shown, key=lambda item: item[1])
            paragraphs.append(
                _(
                    "Die meisten Plätze gab es in der Angebotsart „%(kind)s“: %(places)s Plätze, "
                    "das sind %(share)s Prozent."
                )
                % {"kind": label, "places": number(places), "share": _percent(places, places_total)}
            )
    else:
        paragraphs.append(
            _("Für das Jahr %(year)s sind keine Angebote erfasst.") % {"year": f.year}
        )
    if f.offers_without_capacity:
        paragraphs.append(
            _("Bei %(n)s Angeboten ist keine Platzzahl angegeben; sie fehlen in den Plätzen.")
            % {"n": _count(protect_counts([f.offers_without_capacity], threshold).total, threshold)}
        )
    return {
        "key": "offers",
        "heading": _("Angebote und Plätze"),
        "paragraphs": paragraphs,
        "tables": [by_kind, by_district],
    }


def _participants_section(f: YearFigures, threshold: int) -> dict[str, Any]:
    groups = [g for g in f.groups if g != NO_GROUP] + [NO_GROUP]
    groups = [
        g for g in groups if any(f.participants_by_district_group[(d, g)] for d in f.districts)
    ]
    districts = _districts(f, f.participants_by_district_group)
    table = two_way_table(
        key="participants",
        caption=_("Teilnehmende im Jahr %(year)s nach Stadtbezirk und Zielgruppe")
        % {"year": f.year},
        row_title=str(DISTRICT_HEADER),
        unit=_("Personen"),
        row_labels=[d or str(NO_ANSWER_LABEL) for d in districts],
        col_labels=[_label(g, f.groups, str(NO_GROUP_LABEL)) for g in groups],
        cells=_matrix(f.participants_by_district_group, districts, groups),
        threshold=threshold,
        notes=[
            _(
                "Eine Person kann zu mehreren Zielgruppen gehören und zählt dann in jeder. "
                "Die Summen zählen deshalb Zugehörigkeiten, nicht Personen."
            )
        ],
    )
    persons = protect_counts([f.participants], threshold).total
    paragraphs = [
        _("%(n)s Menschen nahmen im Jahr %(year)s an mindestens einem Angebot teil.")
        % {"n": _count(persons, threshold), "year": f.year}
    ]
    shown = [(row["label"], row["total"]) for row in table["rows"] if row["total"] is not None]
    if shown and any(total for _label_, total in shown):
        label, _most = max(shown, key=lambda item: item[1])
        paragraphs.append(
            _("Die meisten Teilnehmenden kamen aus dem Stadtbezirk %(district)s.")
            % {"district": label}
        )
    return {
        "key": "participants",
        "heading": _("Teilnehmende"),
        "paragraphs": paragraphs,
        "tables": [table],
    }


def _outcomes_section(f: YearFigures, threshold: int) -> dict[str, Any]:
    categories = list(OUTCOME_CATEGORIES)
    labels = outcome_labels()
    columns = [labels[c] for c in categories]
    groups = [g for g in f.groups if g != NO_GROUP] + [NO_GROUP]
    groups = [g for g in groups if any(f.outcomes_by_group[(g, c)] for c in categories)]
    by_group = two_way_table(
        key="outcomes_by_group",
        caption=_(
            "Verbleib %(h)s Monate nach dem Ende eines Angebots im Jahr %(year)s, nach Zielgruppe"
        )
        % {"h": OUTCOME_HORIZON, "year": f.year},
        row_title=str(GROUP_HEADER),
        unit=_("Personen"),
        row_labels=[_label(g, f.groups, str(NO_GROUP_LABEL)) for g in groups],
        col_labels=columns,
        cells=_matrix(f.outcomes_by_group, groups, categories),
        threshold=threshold,
        notes=[_("Eine Person kann zu mehreren Zielgruppen gehören und zählt dann in jeder.")],
    )
    districts = _districts(f, f.outcomes_by_district)
    by_district = two_way_table(
        key="outcomes_by_district",
        caption=_(
            "Verbleib %(h)s Monate nach dem Ende eines Angebots im Jahr %(year)s, nach Stadtbezirk"
        )
        % {"h": OUTCOME_HORIZON, "year": f.year},
        row_title=str(DISTRICT_HEADER),
        unit=_("Personen"),
        row_labels=[d or str(NO_ANSWER_LABEL) for d in districts],
        col_labels=columns,
        cells=_matrix(f.outcomes_by_district, districts, categories),
        threshold=threshold,
    )
    leavers = protect_counts([f.leavers], threshold).total
    not_yet = protect_counts([f.leavers_not_yet_observable], threshold).total
    paragraphs = [
        _("%(n)s Menschen haben im Jahr %(year)s ein Angebot beendet.")
        % {"n": _count(leavers, threshold), "year": f.year}
    ]
    if f.leavers_not_yet_observable:
        paragraphs.append(
            _(
                "Bei %(n)s von ihnen liegt der Zeitpunkt %(h)s Monate danach noch in der "
                "Zukunft; sie fehlen in den Tabellen."
            )
            % {"n": _count(not_yet, threshold), "h": OUTCOME_HORIZON}
        )
    observed = by_district["totals"]["total"]
    if observed:
        shares = []
        for category, value in zip(categories, by_district["totals"]["cells"], strict=True):
            if value is not None and category in ("work", "training", "support", "unemployed"):
                shares.append(
                    _("%(share)s Prozent %(where)s")
                    % {"share": _percent(value, observed), "where": labels[category]}
                )
        paragraphs.append(
            _(
                "Von den %(n)s Menschen, deren Verbleib schon bekannt ist, waren %(h)s Monate "
                "später: %(shares)s."
            )
            % {"n": number(observed), "h": OUTCOME_HORIZON, "shares": ", ".join(shares)}
            if shares
            else _("Die Verbleibszahlen sind zu klein, um sie zu veröffentlichen.")
        )
    return {
        "key": "outcomes",
        "heading": _("Übergänge: Wo stehen die Menschen ein halbes Jahr danach?"),
        "paragraphs": paragraphs,
        "tables": [by_group, by_district],
    }


def _thousands(amount: Decimal) -> int:
    return int((amount / 1000).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _funding_section(f: YearFigures, threshold: int) -> dict[str, Any]:
    funders = [x for x in Funder.values if any(k[0] == x for k in f.funding_by_funder_kind)]
    kinds = [k for k in OfferKind.values if any(x[1] == k for x in f.funding_by_funder_kind)]
    amounts = {key: _thousands(value) for key, value in f.funding_by_funder_kind.items()}
    funder_labels, kind_labels = dict(Funder.choices), dict(OfferKind.choices)
    table = two_way_table(
        key="funding",
        caption=_("Förderung im Jahr %(year)s nach Angebotsart und Geldgeber, in Tausend Euro")
        % {"year": f.year},
        row_title=str(KIND_HEADER),
        unit=_("Tausend Euro"),
        row_labels=[str(kind_labels[k]) for k in kinds],
        col_labels=[str(funder_labels[x]) for x in funders],
        cells=[[amounts.get((x, k), 0) for x in funders] for k in kinds],
        threshold=threshold,
        notes=[
            _(
                "Beträge auf volle Tausend Euro gerundet; mehrjährige Förderungen anteilig nach "
                "Tagen im Jahr. Kleine Beträge sind wie kleine Fallzahlen verdeckt."
            )
        ],
    )
    total = table["totals"]["total"]
    paragraphs = []
    if total:
        paragraphs.append(
            _("Für die Angebote standen im Jahr %(year)s rund %(amount)s zur Verfügung.")
            % {"year": f.year, "amount": _money(total)}
        )
        shown = [
            (name, value)
            for name, value in zip(table["columns"], table["totals"]["cells"], strict=True)
            if value is not None
        ]
        if shown:
            name, value = max(shown, key=lambda item: item[1])
            paragraphs.append(
                _("Größter Geldgeber war „%(funder)s“ mit rund %(amount)s (%(share)s Prozent).")
                % {"funder": name, "amount": _money(value), "share": _percent(value, total)}
            )
    else:
        paragraphs.append(
            _("Für das Jahr %(year)s ist keine Förderung erfasst.") % {"year": f.year}
        )
    return {
        "key": "funding",
        "heading": _("Förderung nach Geldgebern"),
        "paragraphs": paragraphs,
        "tables": [table],
    }


def _decisions_section(f: YearFigures) -> dict[str, Any]:
    """The priority decisions of the year in words (no figures about persons: the
    decisions' own pages passed the small-number rule when they were published)."""
    if not f.decisions:
        paragraphs = [
            _("Im Jahr %(year)s hat die Stadt keine Prioritätsentscheidung veröffentlicht.")
            % {"year": f.year}
        ]
    else:
        paragraphs = [
            _(
                "Wenn das Geld nicht für alles reicht, muss die Stadt entscheiden, was "
                "Vorrang hat. Sie legt dafür offen, welche Möglichkeiten es gab, nach "
                "welchen Gesichtspunkten sie abgewogen hat und warum sie sich so entschieden "
                "hat. Im Jahr %(year)s waren das %(n)s Entscheidungen:"
            )
            % {"year": f.year, "n": number(len(f.decisions))}
        ]
        for decision in f.decisions:
            paragraphs.append(
                _(
                    "%(title)s (%(date)s): %(question)s Entschieden hat %(by)s für "
                    "„%(chosen)s“. Begründung: %(reasons)s"
                )
                % {
                    "title": decision.title,
                    "date": decision.decided_on.strftime("%d.%m.%Y"),
                    "question": decision.question.rstrip()
                    + ("" if decision.question.rstrip().endswith(("?", ".", "!")) else "."),
                    "by": decision.decided_by or _("die Koordination der Beschäftigungsförderung"),
                    "chosen": decision.chosen,
                    "reasons": decision.reasons,
                }
            )
    return {
        "key": "decisions",
        "heading": _("Prioritätsentscheidungen"),
        "paragraphs": paragraphs,
        "tables": [],
    }


def glossary(threshold: int) -> list[list[str]]:
    return [
        [
            _("Träger"),
            _(
                "Eine Organisation, die Angebote durchführt, zum Beispiel ein "
                "Bildungswerk oder ein Beschäftigungsträger."
            ),
        ],
        [
            _("Angebot"),
            _(
                "Eine Beratung, ein Kurs, eine Qualifizierung oder eine geförderte "
                "Arbeit aus dem Katalog der Stadt. Gezählt wird jedes Angebot, das im "
                "Jahr mindestens einen Tag lief."
            ),
        ],
        [_("Plätze"), _("So viele Menschen kann ein Angebot gleichzeitig aufnehmen.")],
        [
            _("Teilnehmende"),
            _(
                "Menschen, die im Jahr an mindestens einem Tag an einem Angebot "
                "teilgenommen haben. Jede Person zählt einmal."
            ),
        ],
        [
            _("Zielgruppe"),
            _(
                "Eine Gruppe, für die Angebote gemacht sind, zum Beispiel "
                "Jugendliche mit schwierigem Start."
            ),
        ],
        [
            _("Verbleib"),
            _(
                "Was eine Person %(h)s Monate nach dem Ende ihres Angebots macht: "
                "arbeiten, lernen, ein weiteres Angebot besuchen oder arbeitslos "
                "sein."
            )
            % {"h": OUTCOME_HORIZON},
        ],
        [
            SUPPRESSED,
            _(
                "Weniger als %(n)s Fälle oder rückrechenbar: Die Zahl ist verdeckt, "
                "damit niemand erkannt werden kann. Auch Zahlen, aus denen sich eine "
                "verdeckte Zahl ausrechnen ließe, sind verdeckt."
            )
            % {"n": threshold},
        ],
    ]


def build_content(
    figures: YearFigures, *, threshold: int, demo: bool, title: str = ""
) -> dict[str, Any]:
    """The report's content (see the module text), in German."""
    with translation.override("de"):
        sections = [
            _offers_section(figures, threshold),
            _participants_section(figures, threshold),
            _outcomes_section(figures, threshold),
            _funding_section(figures, threshold),
            _decisions_section(figures),
        ]
        complete = figures.as_of > dt.date(figures.year, 12, 31)
        summary = [
            _(
                "Dieser Bericht zeigt, was die Stadt im Jahr %(year)s für Arbeit und "
                "Beschäftigung getan hat: welche Angebote es gab, wie viele Menschen sie "
                "genutzt haben, wo diese Menschen danach standen und wer das bezahlt hat."
            )
            % {"year": figures.year},
        ]
        if not complete:
            summary.append(
                _("Das Jahr ist noch nicht zu Ende. Die Zahlen zeigen den Stand vom %(date)s.")
                % {"date": figures.as_of.strftime("%d.%m.%Y")}
            )
        summary.append(
            _(
                "Zahlen unter %(n)s sind mit * verdeckt, ebenso Zahlen, aus denen man eine "
                "verdeckte Zahl ausrechnen könnte. So bleibt niemand erkennbar."
            )
            % {"n": threshold}
        )
        if demo:
            summary.append(
                _("Achtung: Dies ist eine Vorführung mit erfundenen (synthetischen) Daten.")
            )
        content: dict[str, Any] = {
            "year": figures.year,
            "as_of": figures.as_of.isoformat(),
            "threshold": threshold,
            "demo": demo,
            "complete_year": complete,
            "title": title
            or _("Arbeit und Beschäftigung in der Stadt: Jahresbericht %(year)s")
            % {"year": figures.year},
            "summary": summary,
            "sections": sections,
            "glossary": glossary(threshold),
        }
    content["hidden"] = sum(t["hidden"] for s in sections for t in s["tables"])
    return content
