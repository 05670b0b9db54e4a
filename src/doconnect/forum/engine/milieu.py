"""The milieu layout of an analysed network: the public bodies on a small inner circle,
every other actor kind in its own sector of an outer ring (in the fixed order of
``network.ACTOR_KINDS``, sized by its number of actors, the actor with the highest
betweenness in the middle of its sector), isolated actors in rows at the bottom. A force
layout of a dense network is a hairball whatever the seed; in sectors, ties between
milieus show as chords across the ring. Pure, no Django."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from doconnect.forum.engine.layout import DECIMALS, MARGIN, isolated_rows
from doconnect.forum.engine.network import ACTOR_KINDS, ActorMeasures

# The public bodies, at the centre of the milieu layout.
PUBLIC_KINDS = ("city", "jobcenter", "federal_agency", "state")
# Milieu layout: inner circle as a share of the ring's radius, and the empty angle
# between two sectors as a share of one actor's slot.
INNER_SHARE = 0.3
SECTOR_GAP_SLOTS = 1.5


@dataclass(frozen=True)
class Sector:
    """The angles (radians, clockwise on screen from the right) an actor kind spans on
    the outer ring of the milieu layout."""

    kind: str
    start: float
    end: float


@dataclass(frozen=True)
class MilieuLayout:
    """Positions in ``[0, 1]²`` and the geometry behind them, for drawing: the ring's
    centre, its ``radius`` along ``y`` (along ``x`` it is ``radius / aspect``, so the ring
    is round on a canvas ``aspect`` times wider than high), the inner circle's radius
    and the sectors of the outer kinds."""

    positions: dict[str, tuple[float, float]]
    centre: tuple[float, float]
    radius: float
    inner_radius: float
    aspect: float
    sectors: tuple[Sector, ...]


def _kind_rank(kind: str) -> tuple[int, str]:
    return (ACTOR_KINDS.index(kind), "") if kind in ACTOR_KINDS else (len(ACTOR_KINDS), kind)


def _middle_out(count: int) -> list[int]:
    """Slots ``0 … count - 1`` from the middle outwards, alternating sides."""
    middle = (count - 1) / 2
    return sorted(range(count), key=lambda slot: (abs(slot - middle), slot))


def milieu_layout(actors: Sequence[ActorMeasures], *, aspect: float = 1.0) -> MilieuLayout:
    """The milieu layout (see the module docstring) of the analysed ``actors``.

    ``aspect`` is the width-to-height ratio of the canvas the unit square will be
    stretched to. Ties are not needed: the measures carry kind, betweenness and whether
    an actor is isolated. Same actors (in any order) → same layout."""
    if aspect <= 0:
        raise ValueError(f"aspect must be > 0, not {aspect!r}")
    ranked = sorted(actors, key=lambda a: (_kind_rank(a.kind), -a.betweenness, a.id))
    isolated = [a for a in ranked if a.isolated]
    public = [a for a in ranked if not a.isolated and a.kind in PUBLIC_KINDS]
    outer = [a for a in ranked if not a.isolated and a.kind not in PUBLIC_KINDS]

    spots, height = isolated_rows(len(isolated))
    positions = {a.id: spot for a, spot in zip(isolated, spots, strict=True)}
    # The ring fills the height above the isolated rows and never the width: beyond it
    # the drawing needs room for labels.
    radius = min(height / 2, (1 - 2 * MARGIN) * aspect / 2)
    centre = (0.5, MARGIN + height / 2)
    inner = radius * INNER_SHARE

    def place(angle: float, distance: float) -> tuple[float, float]:
        return (
            round(centre[0] + distance * math.cos(angle) / aspect, DECIMALS),
            round(centre[1] + distance * math.sin(angle), DECIMALS),
        )

    if len(public) == 1:
        positions[public[0].id] = place(0.0, 0.0)
    else:
        for k, a in enumerate(public):
            # Start top left, so four bodies sit on the diagonals.
            positions[a.id] = place(-3 * math.pi / 4 + 2 * math.pi * k / len(public), inner)

    groups: dict[str, list[ActorMeasures]] = {}
    for a in outer:
        groups.setdefault(a.kind, []).append(a)
    slots = len(outer) + SECTOR_GAP_SLOTS * len(groups) if len(groups) > 1 else len(outer)
    step = 2 * math.pi / slots if slots else 0.0
    # The first sector is centred on the right: the largest kind (the providers, in a
    # city's network) then stacks its labels vertically on both sides.
    angle = -step * len(groups.get(next(iter(groups), ""), [])) / 2 if groups else 0.0
    sectors = []
    for kind, members in groups.items():
        start = angle
        for slot, a in zip(_middle_out(len(members)), members, strict=True):
            positions[a.id] = place(start + step * (slot + 0.5), radius)
        angle = start + step * len(members)
        sectors.append(Sector(kind, start, angle))
        angle += step * SECTOR_GAP_SLOTS if len(groups) > 1 else 0.0
    return MilieuLayout(
        positions=positions,
        centre=centre,
        radius=radius,
        inner_radius=inner,
        aspect=aspect,
        sectors=tuple(sectors),
    )
