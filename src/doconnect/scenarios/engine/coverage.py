"""Coverage of demand: every demand cell (target group × district × offer kind) as a row
of the matrix that shares each offer's places among the cells it serves, in proportion
to their demand. Pure, no Django."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from doconnect.scenarios.engine.baseline import DemandCell, ScenarioOffer

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class CellIndex:
    """Demand cells as rows of the offer → cell share matrix."""

    keys: tuple[tuple[str, str, str], ...]
    demand: FloatArray
    shares: sp.csr_array  # cells × offers: the share of each offer's places per cell


def cell_index(
    offers: Sequence[ScenarioOffer],
    demand: Sequence[DemandCell],
    districts: Sequence[str],
    target_groups: Sequence[str],
) -> CellIndex:
    demand_of: dict[tuple[str, str, str], int] = defaultdict(int)
    for cell in demand:
        demand_of[(cell.target_group, cell.district, cell.offer_kind)] += cell.persons
    all_districts = sorted(
        set(districts)
        | {c.district for c in demand}
        | {o.district for o in offers if o.district is not None}
    )
    all_groups = sorted(
        set(target_groups)
        | {c.target_group for c in demand}
        | {g for o in offers for g in o.target_groups}
    )
    index: dict[tuple[str, str, str], int] = {key: i for i, key in enumerate(sorted(demand_of))}
    rows: list[int] = []
    cols: list[int] = []
    values: list[float] = []
    for j, offer in enumerate(offers):
        groups = offer.target_groups or all_groups
        places = (offer.district,) if offer.district is not None else all_districts
        keys = [(g, d, offer.kind) for g in groups for d in places]
        weights = [float(demand_of.get(key, 0)) for key in keys]
        total = sum(weights)
        if total <= 0:
            weights, total = [1.0] * len(keys), float(len(keys))
        for key, weight in zip(keys, weights, strict=True):
            if weight <= 0:
                continue
            if key not in index:
                index[key] = len(index)
            rows.append(index[key])
            cols.append(j)
            values.append(weight / total)
    keys_sorted = sorted(index)
    order = np.array([index[k] for k in keys_sorted], dtype=np.int64)
    remap = np.empty(len(order), dtype=np.int64)
    remap[order] = np.arange(len(order))
    matrix = sp.csr_array(
        (np.array(values), (remap[np.array(rows, dtype=np.int64)], np.array(cols, dtype=np.int64))),
        shape=(len(index), len(offers)),
    )
    return CellIndex(
        keys=tuple(keys_sorted),
        demand=np.array([float(demand_of.get(k, 0)) for k in keys_sorted]),
        shares=matrix,
    )
