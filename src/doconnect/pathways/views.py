"""The pathways page: the offer network as a drawing, its dead ends, single bridges and
gaps, filterable by district and target group. It shows offers only, no person data.

The analysis always runs on the whole landscape (a dead end stays a dead end whatever
is filtered); the filters only restrict which offers and gap cells are drawn and listed.
A fixed number of queries whatever the number of offers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from doconnect.core.models import District, Role, TargetGroup
from doconnect.core.viewers import Viewer, request_viewer
from doconnect.offers.models import Destination, Offer
from doconnect.pathways.chart import ENTRY_KINDS, MAX_DRAWN, layout
from doconnect.pathways.engine.analysis import analyse_pathways
from doconnect.pathways.engine.coverage import EVERYONE
from doconnect.pathways.engine.inputs import Offer as EngineOffer
from doconnect.pathways.forms import PathwaysFilterForm
from doconnect.pathways.services import (
    landscape_from_db,
    leaver_outcomes_from_db,
    pathway_config,
)
from doconnect.pathways.texts import dead_end_text

PATHWAY_ROLES = (Role.COORDINATOR, Role.CASE_WORKER, Role.PROVIDER_STAFF, Role.ANALYST)
# The goals an entry must reach for the city's second gap list.
CORE_GOALS = ("employment", "apprenticeship")


def may_see_pathways(viewer: Viewer) -> bool:
    return viewer.has_role(*PATHWAY_ROLES)


@dataclass(frozen=True)
class EntryGap:
    offer: str
    title: str
    missing: tuple[str, ...]


def _keep(district: District | None, group: TargetGroup | None) -> Any:
    def keep(offer: EngineOffer) -> bool:
        if district is not None and offer.district not in (None, district.name):
            return False
        return group is None or not offer.target_groups or group.code in offer.target_groups

    return keep


@login_required
@require_GET
def pathways(request: HttpRequest) -> HttpResponse:
    if not may_see_pathways(request_viewer(request)):
        raise PermissionDenied
    form = PathwaysFilterForm(request.GET or None)
    criteria = form.cleaned_data if form.is_valid() else {}
    district: District | None = criteria.get("district")
    group: TargetGroup | None = criteria.get("target_group")

    offers, links = landscape_from_db()
    report = analyse_pathways(offers, links, pathway_config(), leaver_outcomes_from_db())
    titles = dict(Offer.objects.values_list("external_id", "title"))
    group_labels = dict(TargetGroup.objects.values_list("code", "label"))
    destination_labels = {str(k): str(v) for k, v in Destination.choices}

    keep = _keep(district, group)
    shown = {offer.id for offer in offers if keep(offer)}
    graph = layout(
        offers,
        links,
        report,
        titles=titles,
        destination_labels=destination_labels,
        labels={
            "entries": _("Einstiege"),
            "distance": _("Abstand zum Ziel: %(steps)s"),
            "destinations": _("Ziele"),
            "dead_end": _("Sackgasse"),
            "dead_ends": _("Sackgassen"),
            "closed": _("ausgesetzt/beendet"),
        },
        keep=keep,
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
    return render(
        request,
        "pathways/pathways.html",
        {
            "form": form,
            "graph": graph,
            "max_drawn": MAX_DRAWN,
            "dead_ends": [
                (d, titles.get(d.offer, ""), dead_end_text(d))
                for d in report.dead_ends
                if d.offer in shown
            ],
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
