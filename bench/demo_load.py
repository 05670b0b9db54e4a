"""Benchmark: loading the synthetic demo city with `doconnect demo`.

For SQLite (a fresh file in a temporary folder) and PostgreSQL (a fresh throwaway
cluster from src/doconnect/testing/pgcluster.py), each in its own fresh database:

- target:   `doconnect migrate`, then `doconnect demo --scale 20` (the issue's size);
- baseline: the same city at a small scale (0.2) written with Django's bulk_create
  (`--loader orm`), and the fast loader at that same small scale.

Every command runs as a subprocess with DOCONNECT_DATABASE_URL and DOCONNECT_DEBUG=1,
as a user would run it. Prints seconds and rows per second for each run, the ratios
against the bulk_create baseline and one JSON summary line; exits 1 when a run fails
or a target-scale load takes TARGET_SECONDS or more.

    .venv/bin/python bench/demo_load.py                 # scale 20, both databases
    .venv/bin/python bench/demo_load.py --scale 1
    .venv/bin/python bench/demo_load.py --only sqlite
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

TARGET_SECONDS = 180.0
BASELINE_SCALE = 0.2


@dataclass
class Run:
    label: str
    scale: float
    loader: str
    wall_seconds: float  # the `doconnect demo` process, start to exit
    load_seconds: float  # what the command reports: build, write, check, commit
    write_seconds: float  # the loader alone: rows handed to the database, keys checked
    rows: int

    @property
    def rows_per_second(self) -> float:
        """End to end, as a user waits for it."""
        return self.rows / self.load_seconds if self.load_seconds else 0.0

    @property
    def written_per_second(self) -> float:
        """The loader alone: what COPY/executemany and bulk_create differ in."""
        return self.rows / self.write_seconds if self.write_seconds else 0.0

    def as_dict(self) -> dict[str, object]:
        return {
            "scale": self.scale,
            "loader": self.loader,
            "wall_seconds": round(self.wall_seconds, 2),
            "load_seconds": round(self.load_seconds, 2),
            "write_seconds": round(self.write_seconds, 2),
            "rows": self.rows,
            "rows_per_second": round(self.rows_per_second),
            "written_per_second": round(self.written_per_second),
        }


def _doconnect(url: str, folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(
        os.environ,
        DOCONNECT_DATABASE_URL=url,
        DOCONNECT_DEBUG="1",
        DOCONNECT_VAR_DIR=str(folder),
    )
    return subprocess.run(
        [sys.executable, "-m", "doconnect", *args],
        env=env,
        cwd=folder,
        capture_output=True,
        text=True,
        check=False,
    )


def _load(label: str, url: str, folder: Path, scale: float, loader: str) -> Run:
    migrated = _doconnect(url, folder, "migrate", "--verbosity", "0")
    if migrated.returncode:
        raise RuntimeError(f"{label}: migrate failed:\n{migrated.stderr}")
    started = time.perf_counter()
    loaded = _doconnect(
        url, folder, "demo", "--scale", str(scale), "--loader", loader, "--json", "-v", "0"
    )
    wall = time.perf_counter() - started
    if loaded.returncode:
        raise RuntimeError(f"{label}: demo failed:\n{loaded.stderr}")
    summary = json.loads(loaded.stdout.strip().splitlines()[-1])
    run = Run(
        label,
        scale,
        loader,
        wall,
        float(summary["seconds"]),
        float(summary["write_seconds"]),
        int(summary["rows"]),
    )
    print(
        f"  {label:<20} scale {scale:<4g} {loader:<4} {run.rows:>10,} rows "
        f"{wall:6.1f} s wall {run.load_seconds:6.1f} s load {run.write_seconds:6.1f} s write "
        f"{run.rows_per_second:>9,.0f} rows/s {run.written_per_second:>9,.0f} written/s",
        flush=True,
    )
    return run


def _sqlite_databases(folder: Path) -> Callable[[str], str]:
    return lambda name: f"sqlite:///{folder / (name + '.sqlite3')}"


def _postgres_databases() -> Callable[[str], str]:
    import psycopg

    from doconnect.testing import pgcluster

    cluster = pgcluster.start()  # stopped at exit

    def database(name: str) -> str:
        with psycopg.connect(cluster.url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return cluster.url.rsplit("/", 1)[0] + "/" + name

    return database


def bench(backend: str, scale: float, folder: Path) -> dict[str, object]:
    print(f"{backend}:", flush=True)
    database = _sqlite_databases(folder) if backend == "sqlite" else _postgres_databases()
    target = _load("target", database("target"), folder, scale, "fast")
    orm = _load("baseline bulk_create", database("baseline_orm"), folder, BASELINE_SCALE, "orm")
    fast = _load("baseline fast", database("baseline_fast"), folder, BASELINE_SCALE, "fast")
    speedup = target.rows_per_second / orm.rows_per_second
    writer_speedup = fast.written_per_second / orm.written_per_second
    print(
        f"  ratios: rows/s at scale {scale:g} vs bulk_create at {BASELINE_SCALE:g}: "
        f"{speedup:.1f}x; loader alone at {BASELINE_SCALE:g} vs bulk_create: "
        f"{writer_speedup:.1f}x; target took {target.wall_seconds:.1f} s of "
        f"{TARGET_SECONDS:.0f} s allowed ({target.wall_seconds / TARGET_SECONDS:.2f})",
        flush=True,
    )
    return {
        "target": target.as_dict(),
        "baseline_orm": orm.as_dict(),
        "baseline_fast": fast.as_dict(),
        "ratio_target_vs_orm_rows_per_second": round(speedup, 2),
        "ratio_loader_vs_orm_same_scale": round(writer_speedup, 2),
        "ok": target.wall_seconds < TARGET_SECONDS,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--scale", type=float, default=20.0, help="target scale (default 20)")
    parser.add_argument(
        "--only", choices=("sqlite", "postgresql"), help="benchmark one database only"
    )
    args = parser.parse_args()
    backends = [args.only] if args.only else ["sqlite", "postgresql"]
    results: dict[str, object] = {}
    ok = True
    with tempfile.TemporaryDirectory(prefix="doconnect-bench-demo-") as tmp:
        for backend in backends:
            try:
                result = bench(backend, args.scale, Path(tmp))
            except Exception as exc:  # a failed run is a failed benchmark, with its reason
                print(f"  {backend} failed: {exc}", file=sys.stderr)
                result = {"ok": False, "error": str(exc)}
            results[backend] = result
            ok = ok and bool(result["ok"])
    print(
        json.dumps(
            {
                "benchmark": "demo_load",
                "scale": args.scale,
                "baseline_scale": BASELINE_SCALE,
                "target_seconds": TARGET_SECONDS,
                "cpus": os.cpu_count(),
                **results,
                "ok": ok,
            }
        )
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
