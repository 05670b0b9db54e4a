"""Which of Dortmund's twelve Stadtbezirke border each other, for "in or near the
person's district". Pure data, no Django. Written from the developers' knowledge of the
district map and not yet checked against the statistics office's official boundaries
(the GeoJSON on District will settle it); a city that uses the platform elsewhere
replaces :data:`BORDERS` (districts missing here simply have no neighbours, and the
ranking falls back to "same district" versus "other")."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

BORDERS: tuple[tuple[str, str], ...] = (
    ("Innenstadt-West", "Innenstadt-Nord"),
    ("Innenstadt-West", "Innenstadt-Ost"),
    ("Innenstadt-West", "Hörde"),
    ("Innenstadt-West", "Hombruch"),
    ("Innenstadt-West", "Lütgendortmund"),
    ("Innenstadt-West", "Huckarde"),
    ("Innenstadt-Nord", "Innenstadt-Ost"),
    ("Innenstadt-Nord", "Eving"),
    ("Innenstadt-Nord", "Scharnhorst"),
    ("Innenstadt-Nord", "Huckarde"),
    ("Innenstadt-Ost", "Scharnhorst"),
    ("Innenstadt-Ost", "Brackel"),
    ("Innenstadt-Ost", "Aplerbeck"),
    ("Innenstadt-Ost", "Hörde"),
    ("Eving", "Scharnhorst"),
    ("Eving", "Mengede"),
    ("Eving", "Huckarde"),
    ("Scharnhorst", "Brackel"),
    ("Brackel", "Aplerbeck"),
    ("Aplerbeck", "Hörde"),
    ("Hörde", "Hombruch"),
    ("Hombruch", "Lütgendortmund"),
    ("Lütgendortmund", "Huckarde"),
    ("Huckarde", "Mengede"),
)


def neighbourhood(borders: Iterable[tuple[str, str]] = BORDERS) -> dict[str, frozenset[str]]:
    """Each district's neighbours; borders count both ways."""
    result: dict[str, set[str]] = {}
    for a, b in borders:
        result.setdefault(a, set()).add(b)
        result.setdefault(b, set()).add(a)
    return {district: frozenset(n) for district, n in result.items()}


DORTMUND_NEIGHBOURS: Mapping[str, frozenset[str]] = neighbourhood()
