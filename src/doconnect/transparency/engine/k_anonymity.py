"""k-anonymity for records shown one by one (microdata): every combination of the
quasi-identifiers in the output is shared by at least ``k`` records.

Pure (no Django): records and hierarchies in, generalised records out. The callers
decide which attributes are quasi-identifiers and how each one coarsens (age bands
instead of birth years, small districts merged, rare values grouped); the site's ``k``
is ``DOCONNECT_ANALYST_K``, read by ``doconnect.transparency.small_number``.

The method is full-domain generalisation with bounded record suppression, the
least-loss node of the generalisation lattice (as ARX and Incognito search it):

- a node chooses one level per attribute; its loss is Sweeney's precision loss, the
  share of each hierarchy climbed, summed with the attributes' weights;
- a node qualifies when the records in combinations shared by fewer than ``k`` are few
  (at most ``max_suppressed`` of all): they are *suppressed* — every attribute shown
  as ``SUPPRESSED`` —, and if they are fewer than ``k`` together the smallest
  combinations of ``k`` or more are suppressed with them, whole, so that the suppressed
  group is no small combination itself and no other one drops below ``k``;
- the nodes are tried by increasing loss; of the qualifying ones with the least loss
  the one that keeps the most combinations is taken;
- the coarsest level of every attribute is ``SUPPRESSED`` itself, so the top node
  (all records one combination) always qualifies.

The lattice is the product of the attributes' level counts (a few hundred nodes for
the analysts' six quasi-identifiers); each node costs one pass over the records, and
the search stops at the first loss that qualifies.

Fewer than ``k`` records in all cannot be shown at all: they come back suppressed.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass

SUPPRESSED = "*"
DEFAULT_MAX_SUPPRESSED = 0.05


@dataclass(frozen=True)
class Attribute:
    """A quasi-identifier: its name and its levels of coarsening, finest first. Each
    level maps every raw value to the value shown at that level. A last level that
    shows ``SUPPRESSED`` for everything is added by the engine. ``weight``: how much
    coarsening this attribute costs against the others (what the readers need most
    weighs more)."""

    name: str
    levels: Sequence[Mapping[str, str]]
    weight: float = 1.0


@dataclass(frozen=True)
class Anonymised:
    """The result: ``rows`` (the records generalised, in input order), the level
    chosen per attribute (``levels``, by name; the added ``SUPPRESSED`` level is
    ``len(attribute.levels)``) and how many records were suppressed."""

    attributes: tuple[str, ...]
    rows: list[tuple[str, ...]]
    levels: dict[str, int]
    suppressed: int
    k: int

    def combinations(self) -> Counter[tuple[str, ...]]:
        """How many records share each combination of the output."""
        return Counter(self.rows)


def identity_level(values: Sequence[str]) -> dict[str, str]:
    """The finest level: every value shown as itself."""
    return {value: value for value in values}


def group_rare(counts: Mapping[str, int], minimum: int, other: str) -> dict[str, str]:
    """A level that shows every value held by fewer than ``minimum`` records as
    ``other`` (e.g. small districts merged into "other districts")."""
    return {value: other if count < minimum else value for value, count in counts.items()}


def share_unique(rows: Sequence[Sequence[Hashable]]) -> float:
    """The share of records whose combination no other record shares."""
    if not rows:
        return 0.0
    counts = Counter(tuple(row) for row in rows)
    return sum(1 for row in rows if counts[tuple(row)] == 1) / len(rows)


def smallest_combination(rows: Sequence[Sequence[Hashable]]) -> int:
    """How many records the rarest combination covers (0 for no records)."""
    counts = Counter(tuple(row) for row in rows)
    return min(counts.values(), default=0)


def _columns(
    records: Sequence[Sequence[str]], attributes: Sequence[Attribute]
) -> list[list[list[str]]]:
    """Per attribute, per level (the ``SUPPRESSED`` level included), the column of
    values; a raw value missing from a level is a caller's error, named."""
    columns = []
    for index, attribute in enumerate(attributes):
        raw = [record[index] for record in records]
        levels = []
        for number, level in enumerate(attribute.levels):
            missing = {value for value in raw if value not in level}
            if missing:
                raise ValueError(
                    f"{attribute.name}: level {number} has no value for {sorted(missing)[:5]}"
                )
            levels.append([level[value] for value in raw])
        levels.append([SUPPRESSED] * len(raw))
        columns.append(levels)
    return columns


def _small_records(counts: Counter[tuple[str, ...]], k: int) -> int:
    return sum(count for count in counts.values() if count < k)


def _hidden_within_budget(
    counts: Counter[tuple[str, ...]], k: int, budget: int
) -> set[tuple[str, ...]] | None:
    """The combinations to suppress at a node of the lattice, or None when that would
    take more than ``budget`` records: every combination under ``k``, and when those
    are fewer than ``k`` together, the smallest combinations of ``k`` or more, whole,
    until they are ``k`` (a suppressed group under ``k`` would be a small one itself)."""
    hidden = {combo for combo, count in counts.items() if count < k}
    small = _small_records(counts, k)
    if small == 0:
        return hidden
    if small > budget:
        return None
    for combo, count in sorted(
        ((c, n) for c, n in counts.items() if n >= k), key=lambda item: item[1]
    ):
        if small >= k:
            break
        hidden.add(combo)
        small += count
    return hidden if k <= small <= budget else None


def anonymise(
    records: Sequence[Sequence[str]],
    attributes: Sequence[Attribute],
    k: int,
    *,
    max_suppressed: float = DEFAULT_MAX_SUPPRESSED,
) -> Anonymised:
    """The records generalised so that every combination in the output covers at
    least ``k`` of them (see the module text). ``records`` hold one raw value per
    attribute, in the order of ``attributes``."""
    if k < 1:
        raise ValueError(f"k must be at least 1, not {k}")
    if any(len(record) != len(attributes) for record in records):
        raise ValueError("every record needs one value per attribute")
    names = tuple(a.name for a in attributes)
    total = len(records)
    tops = {n: len(a.levels) for n, a in zip(names, attributes, strict=True)}
    if total < k:  # nothing can be shown of so few
        return Anonymised(names, [(SUPPRESSED,) * len(names) for _ in records], tops, total, k)
    columns = _columns(records, attributes)
    budget = int(total * max_suppressed)
    scales = [a.weight / len(a.levels) for a in attributes]  # len(levels) = height

    def loss(node: tuple[int, ...]) -> float:
        # Sweeney's precision loss: the share of each hierarchy climbed, weighted.
        return sum(level * scale for level, scale in zip(node, scales, strict=True))

    nodes = sorted(itertools.product(*(range(len(c)) for c in columns)), key=loss)
    best: tuple[int, tuple[int, ...], set[tuple[str, ...]]] | None = None
    best_loss = None
    for node in nodes:
        if best_loss is not None and loss(node) > best_loss + 1e-9:
            break  # every node of the least loss is evaluated: take the finest of them
        counts = Counter(zip(*(columns[a][level] for a, level in enumerate(node)), strict=True))
        hidden = _hidden_within_budget(counts, k, budget)
        if hidden is None:
            continue
        if best is None or len(counts) > best[0]:
            best, best_loss = (len(counts), node, hidden), loss(node)
    # The top node (everything suppressed: one combination of ``total >= k``) always
    # qualifies, so a best node is found.
    assert best is not None
    return _result(names, columns, list(best[1]), best[2], k)


def _result(
    names: tuple[str, ...],
    columns: list[list[list[str]]],
    levels: list[int],
    hidden: set[tuple[str, ...]],
    k: int,
) -> Anonymised:
    rows = list(zip(*(columns[a][level] for a, level in enumerate(levels)), strict=True))
    everything_hidden = (SUPPRESSED,) * len(names)
    suppressed = 0
    for index, row in enumerate(rows):
        if row in hidden:
            rows[index] = everything_hidden
            suppressed += 1
    return Anonymised(names, rows, dict(zip(names, levels, strict=True)), suppressed, k)
