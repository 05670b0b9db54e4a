"""Benchmark: a federal state's analyses on one machine and on a Dask cluster, in the
same run (issue #22).

Two steps, each run twice — in one process (``--engine local``) and on a Dask
``LocalCluster`` of two worker processes on loopback (``--engine dask``):

- ``clara``: the CLARA typology (``transitions.engine.clara``: OM with TRATE costs,
  indel auto, k = 6, 10 samples of 2,000) of 1,000,000 synthetic sequences of 72 months
  — a seeded Markov chain of six states that stays in its state with probability
  0.93–0.97 a month (long spells, as biographies have);
- ``figures``: the transition figures of every district
  (``transitions.engine.aggregates.transition_figures``: the cohort of 2022 over 36
  months) over a synthetic state of 1,500,000 persons in 53 districts written as a
  Parquet spells dataset by ``doconnect.demo.state.write_state`` (about 11 spells a
  person), the size of SGB II in North Rhine-Westphalia.

Each run is a child process (``--child``) so that its figures are its own: wall time
from start to finish (generating the sequences and starting the cluster included), CPU
seconds of the whole process tree (the child and its Dask workers, from
``getrusage(RUSAGE_CHILDREN)``), and peak memory as the largest sum of the resident
sizes of the tree (psutil, sampled every 0.1 s; shared pages count once per process,
so this is an upper bound). Targets: every run under 10 minutes (``TARGET_SECONDS``) and
8 GB (``TARGET_BYTES``), and both engines give the same result (the CLARA labels,
medoids and quality figures; the figures' JSON) — else the script exits 1. Printed: the
ratio dask / local (wall and CPU) and the throughput per worker (sequences or persons a
second per worker process; the local run is one process whose kernels use both cores)
with the load average, since the 2-core development machine is shared.

    .venv/bin/python bench/state_scale.py                 # 1,000,000 sequences, 1.5 M persons
    .venv/bin/python bench/state_scale.py --small         # 50,000 sequences, 50,000 persons
    .venv/bin/python bench/state_scale.py --sequences 300000 --persons 450000 --only clara
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import hashlib
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

TARGET_SECONDS = 600.0  # each run, wall
TARGET_BYTES = 8 * 1024**3  # each run, peak resident memory of the process tree
WORKERS = 2
PERIODS = 72
K = 6
SAMPLES = 10
SAMPLE_SIZE = 2_000
STAY = np.array([0.97, 0.95, 0.93, 0.96, 0.94, 0.95])  # monthly odds of staying in a state
YEAR, MONTHS, TODAY = 2022, 36, dt.date(2026, 12, 31)


def markov_codes(n: int, seed: int) -> np.ndarray:
    """``(n, 72)`` state codes of a seeded Markov chain with long spells: a person stays
    with ``STAY``, else moves to one of the other five states at random."""
    rng = np.random.default_rng(seed)
    states = len(STAY)
    codes = np.empty((n, PERIODS), dtype=np.int8)
    state = rng.integers(0, states, size=n)
    for month in range(PERIODS):
        if month:
            move = rng.random(n) >= STAY[state]
            step = rng.integers(1, states, size=n)
            state = np.where(move, (state + step) % states, state)
        codes[:, month] = state
    return codes


def digest(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True).encode()).hexdigest()[:16]


def child(args: argparse.Namespace) -> dict[str, Any]:
    """One run in this process: the step on the engine; returns what it found."""
    from doconnect.transitions.engine import Sequences
    from doconnect.transitions.engine.clara import local_map

    began = time.perf_counter()
    prepared = 0.0
    if args.child == "clara":
        codes = markov_codes(args.sequences, args.seed)
        seqs = Sequences(codes, tuple(f"s{i}" for i in range(len(STAY))))
        prepared = time.perf_counter() - began
    if args.engine == "dask":
        from distributed import Client, LocalCluster

        from doconnect.transitions.engine.cluster import mapper

        cluster = LocalCluster(
            n_workers=WORKERS, threads_per_worker=1, processes=True, host="127.0.0.1",
            dashboard_address=None, protocol="tcp",
        )  # fmt: skip
        client = Client(cluster, set_as_default=False)
        client.wait_for_workers(WORKERS, timeout=120)
        run = mapper(client)
    else:
        run = local_map
    started = time.perf_counter()
    if args.child == "clara":
        from doconnect.transitions.engine.clara import clara

        result = clara(
            seqs, K, samples=SAMPLES, sample_size=args.sample_size, seed=args.seed,
            sm="TRATE", mapper=run,
        )  # fmt: skip
        found = {
            "labels": digest(result.typology.labels.tolist()),
            "medoids": result.typology.medoids.tolist(),
            "sizes": result.typology.sizes.tolist(),
            "best_sample": result.best_sample,
            "mean_distance": result.mean_distance,
            "pbm": result.pbm,
            "db": result.db,
            "xb": result.xb,
            "ams": result.ams,
        }
        n = args.sequences
    else:
        from doconnect.transitions.engine.aggregates import transition_figures

        figures = transition_figures(
            Path(args.dataset), year=YEAR, months=MONTHS, today=TODAY, mapper=run
        )
        as_dict = figures.as_dict()
        found = {"figures": digest(as_dict), "districts": len(as_dict["districts"])}
        n = args.persons
    computed = time.perf_counter() - started
    if args.engine == "dask":
        client.close()
        cluster.close()
    return {"found": found, "n": n, "prepared_s": prepared, "computed_s": computed}


def tree_rss(process: psutil.Process) -> int:
    total = 0
    for p in [process, *process.children(recursive=True)]:
        with contextlib.suppress(psutil.Error):  # it ended between listing and asking
            total += p.memory_info().rss
    return total


def measured(step: str, engine: str, args: argparse.Namespace, out: Path) -> dict[str, Any]:
    """Run one step on one engine in a child process and measure it from outside."""
    command = [
        sys.executable, __file__, "--child", step, "--engine", engine, "--result", str(out),
        "--sequences", str(args.sequences), "--sample-size", str(args.sample_size),
        "--persons", str(args.persons), "--seed", str(args.seed),
    ]  # fmt: skip
    if args.dataset:
        command += ["--dataset", str(args.dataset)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.perf_counter()
    proc = subprocess.Popen(command)
    watched = psutil.Process(proc.pid)
    peak = 0
    while proc.poll() is None:
        with contextlib.suppress(psutil.Error):
            peak = max(peak, tree_rss(watched))
        time.sleep(0.1)
    wall = time.perf_counter() - began
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if proc.returncode:
        raise SystemExit(f"{step} on {engine} failed (exit {proc.returncode})")
    report = json.loads(out.read_text())
    workers = WORKERS if engine == "dask" else 1
    return {
        "step": step,
        "engine": engine,
        "n": report["n"],
        "wall_s": round(wall, 2),
        "computed_s": round(report["computed_s"], 2),
        "prepared_s": round(report["prepared_s"], 2),
        "cpu_s": round(cpu, 2),
        "peak_rss_gb": round(peak / 1024**3, 3),
        "largest_process_gb": round(after.ru_maxrss / 1024**2, 3),
        "per_worker_per_s": round(report["n"] / report["computed_s"] / workers),
        "per_cpu_s": round(report["n"] / cpu),
        "load_average": round(os.getloadavg()[0], 2),
        "found": report["found"],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--small", action="store_true", help="50,000 sequences and persons")
    parser.add_argument("--sequences", type=int, default=None, help="CLARA (1,000,000)")
    parser.add_argument("--sample-size", type=int, default=None, help="CLARA (2,000)")
    parser.add_argument("--persons", type=int, default=None, help="the state (1,500,000)")
    parser.add_argument("--only", choices=["clara", "figures"], help="one step only")
    parser.add_argument("--seed", type=int, default=20221)
    parser.add_argument("--dataset", type=Path, help="an existing spells dataset to use")
    parser.add_argument("--child", choices=["clara", "figures"], help=argparse.SUPPRESS)
    parser.add_argument("--engine", choices=["local", "dask"], help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.sequences is None:
        args.sequences = 50_000 if args.small else 1_000_000
    if args.sample_size is None:
        args.sample_size = 500 if args.small else SAMPLE_SIZE
    if args.persons is None:
        args.persons = 50_000 if args.small else 1_500_000
    if args.child:
        args.result.write_text(json.dumps(child(args)))
        return 0

    print(f"load average {os.getloadavg()[0]:.2f} at start, {os.cpu_count()} cores", flush=True)
    steps = [args.only] if args.only else ["clara", "figures"]
    runs: list[dict[str, Any]] = []
    state: dict[str, Any] = {}
    failed: list[str] = []
    with tempfile.TemporaryDirectory(prefix="state-scale-") as folder:
        if "figures" in steps and args.dataset is None:
            from doconnect.demo.state import write_state

            args.dataset = Path(folder) / "state"
            began = time.perf_counter()
            summary = write_state(args.dataset, persons=args.persons, seed=args.seed)
            state = {**summary.as_dict(), "seconds": round(time.perf_counter() - began, 1)}
            print(f"state written: {json.dumps(state)}", flush=True)
        for step in steps:
            pair = {}
            for engine in ("local", "dask"):
                run = measured(step, engine, args, Path(folder) / f"{step}-{engine}.json")
                print(json.dumps(run), flush=True)
                runs.append(run)
                pair[engine] = run
                if run["wall_s"] > TARGET_SECONDS:
                    failed.append(f"{step} {engine}: {run['wall_s']} s > {TARGET_SECONDS:.0f} s")
                if run["peak_rss_gb"] * 1024**3 > TARGET_BYTES:
                    failed.append(f"{step} {engine}: {run['peak_rss_gb']} GB > 8 GB")
            if pair["local"]["found"] != pair["dask"]["found"]:
                failed.append(f"{step}: the engines disagree")
            local, dask = pair["local"], pair["dask"]
            print(
                f"{step}: n={local['n']:,}; local {local['wall_s']} s wall "
                f"({local['computed_s']} s computing), {local['cpu_s']} CPU-s, "
                f"{local['peak_rss_gb']} GB; dask ({WORKERS} workers) {dask['wall_s']} s wall "
                f"({dask['computed_s']} s computing), {dask['cpu_s']} CPU-s, "
                f"{dask['peak_rss_gb']} GB; ratio dask/local wall "
                f"{dask['wall_s'] / local['wall_s']:.2f}, computing "
                f"{dask['computed_s'] / local['computed_s']:.2f}, CPU "
                f"{dask['cpu_s'] / local['cpu_s']:.2f}; per worker and second "
                f"{dask['per_worker_per_s']:,} (dask) vs {local['per_worker_per_s']:,} (local "
                f"process); same result: {local['found'] == dask['found']}",
                flush=True,
            )
    print(
        json.dumps(
            {
                "benchmark": "state_scale",
                "state": state,
                "runs": runs,
                "load_average_end": round(os.getloadavg()[0], 2),
                "missed": failed,
            }
        )
    )
    if failed:
        print("missed target: " + "; ".join(failed), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
