"""Reads behind the pathways page: the structural analysis of the whole offer landscape
with the offers' titles, providers and the target groups' labels — the same for every
viewer (offers only, no person data), so it is computed once and kept while none of
``PAGE_TABLES`` changed (``core.changes.cached``): a warm page costs one query for the
counters instead of eight and the engine's run."""

from __future__ import annotations

from dataclasses import dataclass

from doconnect.core.changes import cached
from doconnect.core.models import District, Organisation, TargetGroup
from doconnect.offers.models import FollowOn, Offer
from doconnect.pathways.engine.analysis import analyse_pathways
from doconnect.pathways.engine.inputs import FollowOn as EngineFollowOn
from doconnect.pathways.engine.inputs import Offer as EngineOffer
from doconnect.pathways.engine.report import PathwayReport
from doconnect.pathways.services import landscape_from_db, pathway_config

# Everything ``structure`` reads (watched in ``offers.apps``).
PAGE_TABLES = (Offer, Offer.target_groups.through, FollowOn, District, TargetGroup, Organisation)


@dataclass(frozen=True)
class Structure:
    """The landscape, its analysis (no leavers' outcomes: the structure alone) and the
    words the page shows for its ids. Shared between requests: read-only."""

    offers: list[EngineOffer]
    links: list[EngineFollowOn]
    report: PathwayReport
    titles: dict[str, str]  # offer external id → title
    providers: dict[str, str]  # offer external id → provider's external id
    group_labels: dict[str, str]  # target group code → label


def _structure() -> Structure:
    offers, links = landscape_from_db()
    report = analyse_pathways(offers, links, pathway_config())
    titles: dict[str, str] = {}
    providers: dict[str, str] = {}
    for external_id, title, provider_id in Offer.objects.values_list(
        "external_id", "title", "provider__external_id"
    ):
        titles[external_id] = title
        providers[external_id] = provider_id
    group_labels = dict(TargetGroup.objects.values_list("code", "label"))
    return Structure(offers, links, report, titles, providers, group_labels)


def structure() -> Structure:
    """The pathways page's analysis, computed afresh only after a change to one of
    ``PAGE_TABLES`` (and always inside a transaction)."""
    return cached("pathways.structure", PAGE_TABLES, None, _structure)
