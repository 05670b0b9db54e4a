"""Location quotients and shift-share of employment by sector.

**Location quotient** of sector ``i`` for a region against a reference region:
``LQ_i = (e_i / e) / (E_i / E)`` with ``e_i``, ``e`` the region's employment in the
sector and in total and ``E_i``, ``E`` the reference's. LQ > 1: the sector is more
concentrated in the region than in the reference. The totals are the sums over the
sectors given, unless passed explicitly (better when the sectors do not cover all
employment, or some are kept secret). ``None`` when a figure is missing (``None``) or a
denominator is 0.

**Shift-share** of the change of a region's employment between a start and an end year,
per sector ``i`` (``e`` region, ``E`` reference, ``0`` start, ``1`` end):

- reference growth effect ``NS_i = e_i0 · G`` with ``G = E1 / E0 − 1``, the reference's
  total growth rate;
- industry-mix effect ``IM_i = e_i0 · (G_i − G)`` with ``G_i = E_i1 / E_i0 − 1``;
- local (competitive) effect ``LS_i = e_i0 · (g_i − G_i)`` with ``g_i = e_i1 / e_i0 − 1``,
  i.e. ``LS_i = (e_i1 − e_i0) − NS_i − IM_i``.

``NS_i + IM_i + LS_i = e_i1 − e_i0`` exactly: the arithmetic is done in exact fractions
(``fractions.Fraction``) and only the results are turned into floats. A sector new in the
region (``e_i0 = 0``) has ``NS = IM = 0`` and its whole change is local; a sector absent
from the reference at the start (``E_i0 = 0``) has no growth rate of its own, so
``IM_i = 0`` (``G_i`` taken as ``G``). A sector with a missing figure gets ``None``
components, and so do the totals (they would be incomplete).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

Figures = Mapping[str, float | int | None]


def _total(figures: Figures, given: float | None) -> Fraction | None:
    if given is not None:
        return Fraction(given)
    if any(v is None for v in figures.values()):
        return None
    return sum((Fraction(v) for v in figures.values() if v is not None), Fraction(0))


def location_quotients(
    region: Figures,
    reference: Figures,
    *,
    region_total: float | None = None,
    reference_total: float | None = None,
) -> dict[str, float | None]:
    """``LQ_i`` per sector of ``region`` (sectors missing in ``reference`` get ``None``)."""
    e = _total(region, region_total)
    big_e = _total(reference, reference_total)
    out: dict[str, float | None] = {}
    for sector, e_i in region.items():
        big_e_i = reference.get(sector)
        out[sector] = None
        if e_i is not None and big_e_i is not None and e and big_e and big_e_i:
            out[sector] = float((Fraction(e_i) / e) / (Fraction(big_e_i) / big_e))
    return out


@dataclass(frozen=True)
class ShiftShareRow:
    sector: str
    start: float | None
    end: float | None
    change: float | None
    reference_growth: float | None  # NS
    industry_mix: float | None  # IM
    local: float | None  # LS


@dataclass(frozen=True)
class ShiftShare:
    reference_growth_rate: float | None  # G
    rows: tuple[ShiftShareRow, ...]
    total: ShiftShareRow

    def row(self, sector: str) -> ShiftShareRow:
        for row in self.rows:
            if row.sector == sector:
                return row
        raise KeyError(sector)


def _float(x: Fraction | None) -> float | None:
    return None if x is None else float(x)


def shift_share(
    region_start: Figures,
    region_end: Figures,
    reference_start: Figures,
    reference_end: Figures,
    *,
    reference_total_start: float | None = None,
    reference_total_end: float | None = None,
) -> ShiftShare:
    """The shift-share decomposition per sector of the region and in total (the sectors
    are those of ``region_start`` and ``region_end``; see the module text)."""
    e0_ref = _total(reference_start, reference_total_start)
    e1_ref = _total(reference_end, reference_total_end)
    growth = None if e0_ref is None or e1_ref is None or e0_ref == 0 else e1_ref / e0_ref - 1
    rows: list[ShiftShareRow] = []
    sums: list[Fraction | None] = [Fraction(0)] * 6
    for sector in sorted(set(region_start) | set(region_end)):
        parts = _sector(
            region_start.get(sector),
            region_end.get(sector),
            reference_start.get(sector),
            reference_end.get(sector),
            growth,
        )
        rows.append(ShiftShareRow(sector, *(_float(p) for p in parts)))
        sums = [None if s is None or p is None else s + p for s, p in zip(sums, parts, strict=True)]
    total = ShiftShareRow("total", *(_float(s) for s in sums))
    return ShiftShare(_float(growth), tuple(rows), total)


def _sector(
    e0: float | int | None,
    e1: float | int | None,
    ref0: float | int | None,
    ref1: float | int | None,
    growth: Fraction | None,
) -> tuple[Fraction | None, ...]:
    if e0 is None or e1 is None:
        return (None if e0 is None else Fraction(e0), None if e1 is None else Fraction(e1)) + (
            None,
        ) * 4
    start, end = Fraction(e0), Fraction(e1)
    change = end - start
    if growth is None or ref0 is None or ref1 is None:
        return start, end, change, None, None, None
    own = growth if ref0 == 0 else Fraction(ref1) / Fraction(ref0) - 1
    national = start * growth
    mix = start * (own - growth)
    return start, end, change, national, mix, change - national - mix
