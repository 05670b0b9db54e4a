"""The pathways page: first what is wrong (dead ends, gaps, single bridges), then the
offer network as a layered drawing with offer titles, filterable by district, provider,
target group and stage. It shows offers only, no person data.

The analysis always runs on the whole landscape (a dead end stays a dead end whatever
is filtered); the filters only restrict which offers and gap cells are drawn and listed.
Without a filter in the address the first district is shown (``PathwaysFilterForm``).
A fixed number of queries whatever the number of offers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET

from doconnect.core.models import District, Organisation, TargetGroup
from doconnect.core.viewers import request_viewer
from doconnect.offers.models import Destination
from doconnect.pathways.access import may_see_pathways
from doconnect.pathways.chart import ENTRY_KINDS, MAX_DRAWN, STAGE_GROUPS, network
from doconnect.pathways.engine.coverage import EVERYONE
from doconnect.pathways.engine.inputs import Offer as EngineOffer
from doconnect.pathways.forms import PathwaysFilterForm
from doconnect.pathways.selectors import structure
from doconnect.pathways.texts import dead_end_text

# The goals an entry must reach for the city's second gap list.
CORE_GOALS = ("employment", "apprenticeship")


@dataclass(frozen=True)
class EntryGap:
    offer: str
    title: str
    missing: tuple[str, ...]


def _keep(
    district: District | None,
    provider: Organisation | None,
    group: TargetGroup | None,
    providers: dict[str, str],
) -> Any:
    def keep(offer: EngineOffer) -> bool:
        if district is not None and offer.district not in (None, district.name):
            return False
        if provider is not None and providers.get(offer.id) != provider.external_id:
            return False
        return group is None or not offer.target_groups or group.code in offer.target_groups

    return keep


@login_required
@require_GET
def pathways(request: HttpRequest) -> HttpResponse:
    if not may_see_pathways(request_viewer(request)):
        raise PermissionDenied
    form = PathwaysFilterForm(request.GET)
    criteria = form.cleaned_data if form.is_valid() else {}
    district: District | None = criteria.get("district")
    provider: Organisation | None = criteria.get("provider")
    group: TargetGroup | None = criteria.get("target_group")
    stage: str = criteria.get("stage") or ""

    kept = structure()
    offers, links, report, titles = kept.offers, kept.links, kept.report, kept.titles
    providers, group_labels = kept.providers, kept.group_labels
    destination_labels = {str(k): str(v) for k, v in Destination.choices}

    keep = _keep(district, provider, group, providers)
    shown = {offer.id for offer in offers if keep(offer)}
    graph = network(
        offers,
        links,
        report,
        titles=titles,
        destination_labels=destination_labels,
        labels={
            "entries": _("Einstiege"),
            "destinations": _("Ziele"),
            "dead_ends": _("Sackgassen"),
            "closed": _("ausgesetzt oder beendet"),
        },
        distance_label=lambda steps: (
            ngettext("%(steps)s Schritt bis zum Ziel", "%(steps)s Schritte bis zum Ziel", steps)
            % {"steps": steps}
        ),
        keep=keep,
        stages=STAGE_GROUPS.get(stage, ()),
    )
    distances = report.distances
    entry_gaps = [
        EntryGap(
            offer=offer.id,
            title=titles.get(offer.id, ""),
            missing=tuple(
                destination_labels.get(goal, goal)
                for goal in CORE_GOALS
                if goal in distances.goals and distances.to(offer.id, goal) is None
            ),
        )
        for offer in offers
        if offer.id in shown and offer.active and offer.kind in ENTRY_KINDS
    ]
    cells = [
        cell
        for cell in report.coverage
        if (district is None or cell.district in (district.name, EVERYONE))
        and (group is None or cell.target_group in (group.code, EVERYONE))
    ]
    by_key = {node.key: node for node in graph.nodes}
    dead_ends = [
        (d, titles.get(d.offer, ""), dead_end_text(d)) for d in report.dead_ends if d.offer in shown
    ]
    return render(
        request,
        "pathways/pathways.html",
        {
            "form": form,
            "graph": graph,
            "graph_data": {
                **graph.as_data(),
                "offer_url": reverse("web:offer_detail", args=["OFFER"]),
                "words": {
                    "dead_end": _("Sackgasse"),
                    "context": _("außerhalb des gewählten Ausschnitts"),
                    "drawn": _(
                        "Gezeichnet: %(nodes)s Kästchen und %(edges)s Pfeile. Die Tabelle "
                        "unter der Zeichnung nennt jeden Pfeil."
                    ),
                    "failed": _(
                        "Die Zeichnung konnte nicht erstellt werden; die Tabelle darunter "
                        "enthält dieselben Anschlüsse."
                    ),
                },
            },
            "edge_rows": [
                (
                    source,
                    graph.stages[source.stage],
                    target,
                    graph.stages[target.stage],
                    edge.to_dead_end,
                )
                for edge in graph.edges
                for source, target in [(by_key[edge.source], by_key[edge.target])]
            ],
            "max_drawn": MAX_DRAWN,
            "district": district,
            "city_dead_ends": len(report.dead_ends),
            "dead_ends": dead_ends,
            "single_bridges": [
                (b, titles.get(b.offer, "")) for b in report.single_bridges if b.offer in shown
            ],
            "cells_without_entry": [
                (cell, group_labels.get(cell.target_group, cell.target_group))
                for cell in cells
                if not cell.has_entry
            ],
            "entry_gaps": [gap for gap in entry_gaps if gap.missing],
        },
    )
