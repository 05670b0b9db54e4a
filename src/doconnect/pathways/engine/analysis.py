"""The pathways engine: the offer landscape as a directed graph, and where it fails people.

Pure Python with NumPy and SciPy, no Django: services load offers and follow-on links from
the database (or a catalogue file), call :func:`analyse_pathways`, and render or store the
:class:`PathwayReport`. Terms follow the glossary: an *offer* leads via *follow-ons* to
other offers or to a *destination*; some destinations are *goals* (configurable); an active
offer from which no chain of active offers reaches a goal is a *dead end*.

``analyse_pathways`` runs every analysis on one graph. The inputs are in ``inputs``, the
results in ``report``, the graph (and the searches the analyses share) in
``offer_graph``; the single analyses can also be called alone: ``dead_ends`` (dead ends,
the closures that cut them, single bridges), ``coverage`` (gaps, bottlenecks) and
``empirical`` (how leavers fared).
"""

from __future__ import annotations

from collections.abc import Iterable

from doconnect.pathways.engine.coverage import find_bottlenecks, find_gaps
from doconnect.pathways.engine.dead_ends import find_dead_ends, find_single_bridges
from doconnect.pathways.engine.empirical import empirical_dead_ends
from doconnect.pathways.engine.inputs import FollowOn, LeaverOutcome, Offer, PathwayConfig
from doconnect.pathways.engine.offer_graph import build_graph, onward_distances
from doconnect.pathways.engine.report import PathwayReport


def analyse_pathways(
    offers: Iterable[Offer],
    links: Iterable[FollowOn],
    config: PathwayConfig | None = None,
    outcomes: Iterable[LeaverOutcome] | None = None,
) -> PathwayReport:
    """Every structural analysis of the landscape, plus the empirical one when leaver
    outcomes are given. An empty catalogue gives an empty report."""
    config = config or PathwayConfig()
    graph = build_graph(offers, links, config.goals)
    dead_ends, closures = find_dead_ends(graph)
    return PathwayReport(
        goals=graph.goals,
        offer_count=graph.n,
        link_count=graph.link_count,
        dead_ends=dead_ends,
        closures=closures,
        single_bridges=find_single_bridges(graph, config.listed_stranded),
        coverage=find_gaps(graph, config.districts, config.target_groups),
        bottlenecks=find_bottlenecks(
            graph, config.bottleneck_ratio, config.bottleneck_split_inflow
        ),
        distances=onward_distances(graph),
        empirical=empirical_dead_ends(
            graph.ids,
            outcomes,
            config.min_share_6m,
            config.min_share_12m,
            config.min_leavers,
        )
        if outcomes is not None
        else (),
    )
