"""Benchmark: the city-wide allocation, whole command against the bare solver.

Generates a deterministic synthetic city (default 100,000 persons, 5,000 places,
3,000,000 candidate pairs: people and places scattered over the city, each person ~30
candidate places nearby, costs from distance, fit and preference, capacities adding up to
80 % of the persons, so places are scarce) and writes it as the three CSV files. Then:

- command: ``allocate_files`` — what ``doconnect allocate`` calls — reads and checks the
  files, builds the network, solves, runs the greedy baseline and writes the output and
  the summary;
- baseline: OR-Tools' ``SimpleMinCostFlow.solve()`` alone on the same network, built
  beforehand from arrays already in memory (only ``solve()`` is timed).

Prints both, their ratio, how much the optimum beats first come first served, then one
JSON summary line. Exits 1 when the command takes more than 1.5 times the bare solve or
the two optima differ.

``--huge`` (1,000,000 persons, 50,000 places, 30,000,000 pairs) runs the real
``doconnect allocate`` in a child process and reports its time and peak memory (no
target; ``--bare`` adds the bare solve for the ratio).

    .venv/bin/python bench/allocation.py            # 100,000 persons, 3,000,000 pairs
    .venv/bin/python bench/allocation.py --small    # 10,000 persons, 300,000 pairs
    .venv/bin/python bench/allocation.py --huge     # 1,000,000 persons, 30,000,000 pairs
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

SRC = Path(__file__).resolve().parents[1] / "src"
sys.path.insert(0, str(SRC))

from doconnect.allocation.engine.files import allocate_files  # noqa: E402
from doconnect.allocation.engine.optimal import network  # noqa: E402
from doconnect.allocation.engine.problem import AllocationProblem  # noqa: E402

TARGET_RATIO = 1.5
# Priority weights from target groups and support needs, and how common each is.
PRIORITIES = np.array([1, 2, 3, 5])
PRIORITY_SHARES = np.array([0.55, 0.25, 0.15, 0.05])
SCARCITY = 0.8  # places for 80 % of the persons
# The city as a grid of cells with about this many places each; a person's candidates
# lie in the 3 x 3 cells around them (about 110 places to choose ~30 from).
PLACES_PER_CELL = 12.5


@dataclass
class City:
    priority: np.ndarray
    capacity: np.ndarray
    pair_person: np.ndarray
    pair_place: np.ndarray
    pair_cost: np.ndarray

    @property
    def persons(self) -> int:
        return len(self.priority)

    @property
    def places(self) -> int:
        return len(self.capacity)

    def person_ids(self) -> list[str]:
        return [f"P-{i:07d}" for i in range(self.persons)]

    def place_ids(self) -> list[str]:
        return [f"O-{j:05d}" for j in range(self.places)]

    def problem(self) -> AllocationProblem:
        return AllocationProblem(
            person_ids=self.person_ids(),
            priority=self.priority,
            place_ids=self.place_ids(),
            capacity=self.capacity,
            pair_person=self.pair_person,
            pair_place=self.pair_place,
            pair_cost=self.pair_cost,
        )


def generate_city(persons: int, places: int, pairs: int, seed: int = 20050) -> City:
    """A deterministic synthetic city: ``pairs`` distinct candidate pairs (about
    ``pairs / persons`` per person), sorted by person and, within a person, by cost (as a
    candidate query would list them)."""
    rng = np.random.default_rng(seed)
    grid = max(1, round((places / PLACES_PER_CELL) ** 0.5))
    person_xy = rng.random((persons, 2))
    place_xy = rng.random((places, 2))
    place_cell = np.minimum((place_xy * grid).astype(np.int64), grid - 1)
    cell_of_place = place_cell[:, 0] * grid + place_cell[:, 1]
    by_cell = np.argsort(cell_of_place, kind="stable")
    in_cell = np.bincount(cell_of_place, minlength=grid * grid)
    cell_start = np.concatenate([[0], np.cumsum(in_cell)])
    person_cell = np.minimum((person_xy * grid).astype(np.int64), grid - 1)

    per_person = pairs / persons
    draws = int(per_person * 1.35) + 2
    keys = []
    block = max(1, 2_000_000 // draws)
    # In blocks of persons (bounded memory at 30 M pairs); blocks share no person, so
    # de-duplicating within each block is enough.
    for first in range(0, persons, block):
        who = np.repeat(np.arange(first, min(first + block, persons)), draws)
        cx = np.clip(person_cell[who, 0] + rng.integers(-1, 2, len(who)), 0, grid - 1)
        cy = np.clip(person_cell[who, 1] + rng.integers(-1, 2, len(who)), 0, grid - 1)
        cell = cx * grid + cy
        has = in_cell[cell] > 0
        who, cell = who[has], cell[has]
        place = by_cell[cell_start[cell] + (rng.random(len(cell)) * in_cell[cell]).astype(int)]
        keys.append(np.unique(who * places + place))
    key = np.concatenate(keys)
    del keys
    if len(key) < pairs:
        raise SystemExit(f"could only draw {len(key):,} distinct pairs; use fewer")
    key = np.sort(rng.choice(key, size=pairs, replace=False))
    pair_person = (key // places).astype(np.int32)
    pair_place = (key % places).astype(np.int32)
    del key
    # Cost parts: distance (100 m units), fit to the person's needs, preference rank.
    distance = np.hypot(*(person_xy[pair_person] - place_xy[pair_place]).T)
    cost = (distance * 120).astype(np.int64)  # a city of ~12 km across
    cost += rng.choice([0, 5, 10, 20], size=pairs, p=[0.4, 0.3, 0.2, 0.1])
    cost += rng.integers(0, 10, pairs)
    # Within each person, cheapest first.
    order = np.lexsort((pair_place, cost, pair_person))
    pair_person, pair_place, cost = pair_person[order], pair_place[order], cost[order]

    priority = rng.choice(PRIORITIES, size=persons, p=PRIORITY_SHARES).astype(np.int64)
    size = rng.lognormal(2.0, 0.7, places)
    size[rng.random(places) < 0.03] = 0.0  # suspended offers, full vacancies
    capacity = np.floor(size / size.sum() * persons * SCARCITY).astype(np.int64)
    return City(priority, capacity, pair_person, pair_place, cost)


def write_city(city: City, folder: Path) -> tuple[Path, Path, Path]:
    persons, places, candidates = (folder / n for n in ("P.csv", "O.csv", "C.csv"))
    person_ids, place_ids = city.person_ids(), city.place_ids()
    persons.write_text(
        "person_id,priority\n"
        + "".join(f"{p},{w}\n" for p, w in zip(person_ids, city.priority.tolist(), strict=True))
    )
    places.write_text(
        "place_id,capacity\n"
        + "".join(f"{o},{c}\n" for o, c in zip(place_ids, city.capacity.tolist(), strict=True))
    )
    with candidates.open("w") as out:
        out.write("person_id,place_id,cost\n")
        step = 1_000_000
        for start in range(0, len(city.pair_person), step):
            end = start + step
            rows = zip(
                city.pair_person[start:end].tolist(),
                city.pair_place[start:end].tolist(),
                city.pair_cost[start:end].tolist(),
                strict=True,
            )
            out.write("".join(f"{person_ids[i]},{place_ids[j]},{c}\n" for i, j, c in rows))
    return persons, places, candidates


def bare_solve(city: City) -> tuple[float, float, int]:
    """Seconds (wall, CPU) of ``solve()`` alone, and the optimal flow cost."""
    net = network(city.problem())
    flow = net.solver()
    started, cpu = time.perf_counter(), time.process_time()
    status = flow.solve()
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu
    if status != flow.OPTIMAL:
        raise SystemExit(f"bare solve: status {status}")
    return seconds, cpu_seconds, int(flow.optimal_cost())


def peak_mb(who: int = resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # kilobytes on Linux


def run_huge(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    city = generate_city(1_000_000, 50_000, 30_000_000, args.seed)
    with tempfile.TemporaryDirectory(prefix="bench-allocation-") as tmp:
        folder = Path(tmp)
        files = write_city(city, folder)
        print(
            f"city:     {city.persons:,} persons, {city.places:,} places, "
            f"{len(city.pair_person):,} pairs (generated and written in "
            f"{time.perf_counter() - started:.1f} s)",
            flush=True,
        )
        del city.pair_cost  # the child needs the memory, not us
        env = {**os.environ, "DOCONNECT_DEBUG": "1", "PYTHONPATH": str(SRC)}
        command = [sys.executable, "-m", "doconnect.cli", "allocate"]
        command += ["--persons", str(files[0]), "--places", str(files[1])]
        command += ["--candidates", str(files[2]), "--out", str(folder / "A.csv")]
        command += ["--summary", str(folder / "S.json")]
        started = time.perf_counter()
        done = subprocess.run(command, env=env, check=False)
        seconds = time.perf_counter() - started
        child_peak = peak_mb(resource.RUSAGE_CHILDREN)
        if done.returncode:
            print(f"doconnect allocate failed ({done.returncode})")
            return 1
        figures = json.loads((folder / "S.json").read_text())
    print(f"command:  {seconds:.1f} s, peak memory {child_peak:,.0f} MB", flush=True)
    summary = {
        "benchmark": "allocation_huge",
        "persons": figures["persons"],
        "places": figures["places"],
        "candidates": figures["candidates"],
        "command_seconds": round(seconds, 1),
        "phase_seconds": figures["seconds"],
        "peak_memory_mb": round(child_peak),
        "assigned": figures["assigned"],
        "greedy_assigned": figures["greedy"]["assigned"],
        "passed": True,
    }
    if args.bare:
        city = generate_city(1_000_000, 50_000, 30_000_000, args.seed)
        bare, _, _ = bare_solve(city)
        summary["bare_solve_seconds"] = round(bare, 1)
        summary["ratio"] = round(seconds / bare, 2)
        print(f"bare:     {bare:.1f} s; ratio {seconds / bare:.2f}")
    print(json.dumps(summary))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--small", action="store_true", help="10,000 persons, 300,000 pairs")
    parser.add_argument("--huge", action="store_true", help="1,000,000 persons, 30 M pairs")
    parser.add_argument("--bare", action="store_true", help="with --huge: also the bare solve")
    parser.add_argument("--seed", type=int, default=20050)
    args = parser.parse_args(argv)
    if args.huge:
        return run_huge(args)
    persons, places, pairs = (10_000, 500, 300_000) if args.small else (100_000, 5_000, 3_000_000)

    started = time.perf_counter()
    city = generate_city(persons, places, pairs, args.seed)
    with tempfile.TemporaryDirectory(prefix="bench-allocation-") as tmp:
        folder = Path(tmp)
        files = write_city(city, folder)
        print(
            f"city:     {persons:,} persons, {places:,} places, {pairs:,} pairs, "
            f"{int(city.capacity.sum()):,} places in all (generated and written in "
            f"{time.perf_counter() - started:.1f} s)",
            flush=True,
        )
        started, cpu = time.perf_counter(), time.process_time()
        run = allocate_files(*files, folder / "A.csv", folder / "S.json")
        command_seconds = time.perf_counter() - started
        command_cpu = time.process_time() - cpu
    phases = ", ".join(f"{name} {s:.2f} s" for name, s in run.summary["seconds"].items())
    print(f"command:  {command_seconds:.2f} s (CPU {command_cpu:.2f} s): {phases}", flush=True)

    bare_seconds, bare_cpu, flow_cost = bare_solve(city)
    print(f"bare:     {bare_seconds:.2f} s (CPU {bare_cpu:.2f} s) for solve() alone", flush=True)
    ratio = command_seconds / bare_seconds
    cpu_ratio = command_cpu / bare_cpu
    print(f"ratio:    {ratio:.2f} (CPU {cpu_ratio:.2f}); target <= {TARGET_RATIO}")

    optimum, baseline = run.optimum, run.baseline
    net = network(optimum.problem)
    unassigned_weight = int(optimum.problem.priority.sum()) - optimum.weighted_assigned
    expected_cost = net.big_m * unassigned_weight // net.priority_divisor + (
        optimum.total_cost // net.cost_divisor
    )
    identical = expected_cost == flow_cost
    print(
        f"optimum:  {optimum.assigned:,} placed, weighted {optimum.weighted_assigned:,}, "
        f"cost {optimum.total_cost:,}; "
        + ("same optimum as the bare solve" if identical else "DIFFERENT from the bare solve")
    )
    print(
        f"greedy:   {baseline.assigned:,} placed, weighted {baseline.weighted_assigned:,}, "
        f"cost {baseline.total_cost:,} (first come, first served)"
    )
    passed = identical and ratio <= TARGET_RATIO
    summary = {
        "benchmark": "allocation",
        "persons": persons,
        "places": places,
        "pairs": pairs,
        "command_seconds": round(command_seconds, 3),
        "command_cpu_seconds": round(command_cpu, 3),
        "phase_seconds": run.summary["seconds"],
        "bare_solve_seconds": round(bare_seconds, 3),
        "bare_solve_cpu_seconds": round(bare_cpu, 3),
        "ratio": round(ratio, 3),
        "cpu_ratio": round(cpu_ratio, 3),
        "target_ratio": TARGET_RATIO,
        "optimum": optimum.totals(),
        "greedy": baseline.totals(),
        "identical": identical,
        "peak_memory_mb": round(peak_mb()),
        "passed": passed,
    }
    print(json.dumps(summary))
    return 0 if passed else 1


if __name__ == "__main__":
    raise SystemExit(main())
