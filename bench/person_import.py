"""Benchmark: importing 10,000 persons into the demo city at scale 20 (100,000 persons).

Loads the demo city (``doconnect demo --scale 20``) into a throwaway database: a
throwaway PostgreSQL cluster (src/doconnect/testing/pgcluster.py), or with --sqlite (and
when no PostgreSQL is installed) a temporary SQLite file. Then, as the demo's Jobcenter
case worker (``fallberatung``), in the same run:

- baseline: a plain bulk insert of the same 10,000 persons (Django's ``bulk_create`` of
  persons, personal details, target groups, first consents and their organisations,
  every id already in memory, nothing checked), rolled back;
- target: ``doconnect import persons`` as the command runs it
  (``person_import_services.persons_file_chunks`` + ``persons_import_chunks``): read and check
  the CSV, look up districts, organisations and persons delivered before, the duplicate
  check of every line against all persons on file (the registration's
  ``CandidateFinder``), write, queue the possible duplicates, audit. Must take under
  MAX_RATIO times the baseline.

Memory (issue #20: imports stream instead of holding every row): files of
MEMORY_ROWS_SMALL and MEMORY_ROWS_LARGE persons (the largest file the import takes),
each imported in a child process of its own and rolled back there, its peak RSS read
from the kernel (``VmHWM`` of ``/proc/self/status``, Linux): as the command does it, a
chunk at a time (``persons_file_chunks`` + ``persons_import_chunks``), and, for
comparison, read whole first (``persons_file_read`` + ``persons_import_as``, how the
command worked before).
A child importing the header alone gives the floor (Python, Django, the database
connection); the import's own share is the peak above it. The streamed import's peak at
the large file must stay under MAX_MEMORY_RATIO times its peak at the small one, and
under the whole-file read's.

Baseline and target run alternately ROUNDS times, each rolled back, and the fastest run
of each counts (the machine's two cores are shared). Then the file is imported for good
and imported again (everything unchanged).

1 % of the lines are near-copies of demo persons (two letters of the family name
swapped, the same birth date), so the queue is written too. Prints the figures and one JSON
summary line; exits 1 when the target is missed or a count is wrong. Registering one
person at a time is measured by bench/person_register.py.

    .venv/bin/python bench/person_import.py                  # scale 20 on PostgreSQL
    .venv/bin/python bench/person_import.py --sqlite
    .venv/bin/python bench/person_import.py --scale 2 --persons 2000
    .venv/bin/python bench/person_import.py --sqlite --scale 1 --only memory
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from _database import throwaway_database

MAX_RATIO = 2.0  # the import against a plain bulk insert of the same rows (issue #16)
MEMORY_ROWS_SMALL = 10_000
MEMORY_ROWS_LARGE = 100_000  # person_import.MAX_PERSON_ROWS
MAX_MEMORY_RATIO = 1.6  # peak RSS streamed, 10 times the rows against the small file
NEAR_COPIES = 0.01
ROUNDS = 3
SEED = 16


def _swap_two(name: str, rng: random.Random) -> str:
    """Two neighbouring letters swapped: a typical slip when a name is typed again."""
    if len(name) < 4:
        return name + "e"
    i = rng.randrange(1, len(name) - 2)
    return name[:i] + name[i + 1] + name[i] + name[i + 2 :]


def persons(count: int, rng: random.Random) -> list[dict[str, Any]]:
    """New persons from the demo's pool of names: a given name and a family name of two
    different demo persons and a random birth date, or (NEAR_COPIES of them) a demo
    person with a slip in the family name and the same birth date."""
    from doconnect.core.models import District, TargetGroup
    from doconnect.people.matching import normalised_name
    from doconnect.people.models import PersonalDetails

    pool = list(
        PersonalDetails.objects.order_by("person_id").values_list(
            "given_name", "family_name", "birth_date"
        )
    )
    districts = list(District.objects.values_list("official_key", flat=True))
    groups = list(TargetGroup.objects.values_list("code", flat=True))
    people = []
    # Each person once: a large file would otherwise draw the same name and birth date
    # twice, which the import rightly refuses.
    drawn: set[tuple[str, dt.date]] = set()
    for i in range(count):
        while True:
            given, family, birth = rng.choice(pool)
            if rng.random() >= NEAR_COPIES:
                family = rng.choice(pool)[1]
                birth = dt.date(1960, 1, 1) + dt.timedelta(days=rng.randrange(48 * 365))
            else:
                family = _swap_two(family, rng)
            key = (normalised_name(given, family), birth)
            if key not in drawn:
                drawn.add(key)
                break
        people.append(
            {
                "source_id": f"JC-{i:06d}",
                "given_name": given,
                "family_name": family,
                "birth_date": birth,
                "gender": rng.choice(["female", "male", "diverse", "unspecified"]),
                "postcode": f"44{rng.randrange(100, 400):03d}",
                "street": f"Musterstraße {rng.randrange(1, 200)}",
                "district": rng.choice(districts),
                "legal_branch": rng.choice(["SGB II", "SGB III", "none"]),
                "target_groups": tuple(sorted(rng.sample(groups, rng.randrange(0, 3)))),
            }
        )
    return people


def persons_csv(people: list[dict[str, Any]], valid_from: dt.date) -> bytes:
    from doconnect.people.person_import import PERSON_COLUMNS

    lines = [",".join(PERSON_COLUMNS)]
    for p in people:
        cells = [
            p["source_id"],
            p["given_name"],
            p["family_name"],
            p["birth_date"].isoformat(),
            p["gender"],
            p["postcode"],
            p["street"],
            p["district"],
            p["legal_branch"],
            "unknown",
            "unknown",
            " ".join(p["target_groups"]),
            "counselling",
            "jobcenter-dortmund",
            valid_from.isoformat(),
            "",
        ]
        lines.append(",".join(cells))
    return ("\n".join(lines) + "\n").encode()


def plain_bulk_insert(people: list[dict[str, Any]], valid_from: dt.date, user_id: int) -> None:
    """The same rows written with bulk_create, nothing checked, ids in memory."""
    from doconnect.core.models import District, Organisation, TargetGroup
    from doconnect.people.models import Consent, Person, PersonalDetails

    districts = dict(District.objects.values_list("official_key", "id"))
    groups = dict(TargetGroup.objects.values_list("code", "id"))
    jobcenter = Organisation.objects.get(external_id="jobcenter-dortmund").pk
    created = Person.objects.bulk_create(
        [
            Person(
                gender=p["gender"],
                birth_year=p["birth_date"].year,
                district_id=districts[p["district"]],
                legal_branch=p["legal_branch"],
                source_id=p["source_id"],
            )
            for p in people
        ],
        batch_size=2_000,
    )
    PersonalDetails.objects.bulk_create(
        [
            PersonalDetails(
                person_id=person.pk,
                given_name=p["given_name"],
                family_name=p["family_name"],
                birth_date=p["birth_date"],
                street=p["street"],
                postcode=p["postcode"],
                address_district_id=person.district_id,
            )
            for person, p in zip(created, people, strict=True)
        ],
        batch_size=2_000,
    )
    through = Person.target_groups.through
    through.objects.bulk_create(
        [
            through(person_id=person.pk, targetgroup_id=groups[code])
            for person, p in zip(created, people, strict=True)
            for code in p["target_groups"]
        ],
        batch_size=5_000,
    )
    consents = Consent.objects.bulk_create(
        [
            Consent(
                person_id=person.pk,
                counselling=True,
                valid_from=valid_from,
                recorded_by_id=user_id,
            )
            for person in created
        ],
        batch_size=2_000,
    )
    organisations = Consent.organisations.through
    organisations.objects.bulk_create(
        [organisations(consent_id=c.pk, organisation_id=jobcenter) for c in consents],
        batch_size=5_000,
    )


def _timed(action: Any) -> tuple[Any, float, float]:
    """What ``action()`` returns, its wall seconds and its CPU seconds (this process:
    the figure that does not depend on what else runs on the machine)."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = action()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def _child_import(path: str, mode: str) -> int:
    """In a child process: import the file as the demo case worker, the way ``mode``
    says, roll back, and print the counts as JSON (the parent reads the peak RSS)."""
    import django

    django.setup()  # the parent's environment names the database, already migrated
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from doconnect.core.viewers import viewer_for
    from doconnect.people.person_import_services import (
        persons_file_chunks,
        persons_file_read,
        persons_import_as,
        persons_import_chunks,
    )

    viewer = viewer_for(get_user_model().objects.get(username="fallberatung"))
    with transaction.atomic():
        if mode == "stream":
            with open(path, "rb") as stream:
                result = persons_import_chunks(
                    viewer, persons_file_chunks(stream, file=path), file=path
                )
        else:
            with open(path, "rb") as whole:
                data = whole.read()
            result = persons_import_as(viewer, rows=persons_file_read(data, file=path))
        transaction.set_rollback(True)
    # The peak of this process's own memory: the kernel's ru_maxrss of a child starts
    # at its parent's size at fork time, VmHWM starts afresh at exec.
    status = Path("/proc/self/status").read_text()
    peak_kb = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM"))
    print(json.dumps({"created": result.created, "peak_bytes": peak_kb * 1024}))
    return 0


def _peak_rss(path: str, mode: str) -> tuple[int, int, float]:
    """A child's peak RSS in bytes, the persons it created and its CPU seconds (its own,
    from ``os.wait4``)."""
    child = subprocess.Popen(
        [sys.executable, __file__, "--child", path, "--mode", mode], stdout=subprocess.PIPE
    )
    assert child.stdout is not None
    out = child.stdout.read()
    _pid, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        raise SystemExit(f"the {mode} import of {path} failed ({child.returncode})")
    answer = json.loads(out.decode().strip().splitlines()[-1])
    return int(answer["peak_bytes"]), int(answer["created"]), usage.ru_utime + usage.ru_stime


def memory(
    valid_from: dt.date, small_rows: int = MEMORY_ROWS_SMALL, large_rows: int = MEMORY_ROWS_LARGE
) -> tuple[dict[str, Any], bool]:
    """The memory part (see the module docstring): figures and whether it is met."""
    from doconnect.people.person_import import PERSON_COLUMNS

    folder = Path(tempfile.mkdtemp(prefix="doconnect-bench-persons-"))
    people = persons(large_rows, random.Random(SEED + 1))
    files = {0: folder / "header.csv"}
    files[0].write_text(",".join(PERSON_COLUMNS) + "\n")
    for rows in (small_rows, large_rows):
        files[rows] = folder / f"persons-{rows}.csv"
        files[rows].write_bytes(persons_csv(people[:rows], valid_from))
    del people
    peaks: dict[str, dict[str, Any]] = {}
    for mode in ("stream", "whole"):
        for rows, path in files.items():
            if mode == "whole" and rows == 0:
                continue
            peak, created, cpu = _peak_rss(str(path), mode)
            assert created == rows, (mode, rows, created)
            peaks[f"{mode} {rows}"] = {
                "rows": rows,
                "megabytes": round(path.stat().st_size / 2**20, 1),
                "peak_mb": round(peak / 2**20, 1),
                "cpu_seconds": round(cpu, 1),
            }
            print(
                f"{mode:>6} import {rows:>7,} rows ({path.stat().st_size / 2**20:5.1f} MB): "
                f"peak RSS {peak / 2**20:6.1f} MB, CPU {cpu:5.1f} s",
                flush=True,
            )
    floor = peaks["stream 0"]["peak_mb"]
    small = peaks[f"stream {small_rows}"]["peak_mb"]
    large = peaks[f"stream {large_rows}"]["peak_mb"]
    whole_large = peaks[f"whole {large_rows}"]["peak_mb"]
    figures = {
        "floor_peak_mb": floor,
        "peaks": peaks,
        "stream_ratio_large_to_small": round(large / small, 3),
        "stream_own_mb_small": round(small - floor, 1),
        "stream_own_mb_large": round(large - floor, 1),
        "whole_own_mb_large": round(whole_large - floor, 1),
        "stream_to_whole_large": round(large / whole_large, 3),
        "max_memory_ratio": MAX_MEMORY_RATIO,
    }
    ok = large / small <= MAX_MEMORY_RATIO and large < whole_large
    print(
        f"streamed: {large_rows:,} rows peak {large:.0f} MB against {small:.0f} MB at "
        f"{small_rows:,} (ratio {large / small:.2f}, under {MAX_MEMORY_RATIO:g}: "
        f"{'met' if ok else 'MISSED'}); the import's own share {small - floor:.0f} → "
        f"{large - floor:.0f} MB (read whole: {whole_large - floor:.0f} MB)"
    )
    return figures, ok


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--scale", type=float, default=20.0, help="demo city scale (20: 100,000)")
    parser.add_argument("--persons", type=int, default=10_000, help="persons in the file")
    parser.add_argument("--sqlite", action="store_true", help="SQLite instead of PostgreSQL")
    parser.add_argument("--only", choices=["time", "memory"], help="one part only")
    parser.add_argument(
        "--memory-rows",
        type=int,
        nargs=2,
        default=[MEMORY_ROWS_SMALL, MEMORY_ROWS_LARGE],
        metavar=("SMALL", "LARGE"),
        help="rows of the two files of the memory part",
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--mode", choices=["stream", "whole"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return _child_import(args.child, args.mode)
    backend = throwaway_database(sqlite=args.sqlite, sqlite_without_postgres=True)

    from django.core.management import call_command
    from django.utils import timezone

    from doconnect.people.models import Person

    _, demo_seconds, _ = _timed(
        lambda: call_command("demo", scale=args.scale, verbosity=0, stdout=io.StringIO())
    )
    on_file = Person.objects.count()
    valid_from = timezone.localdate() - dt.timedelta(days=10)
    print(f"backend            {backend}")
    print(f"demo city          scale {args.scale:g}: {on_file:,} persons ({demo_seconds:.0f} s)")
    summary: dict[str, Any] = {
        "benchmark": "person_import",
        "backend": backend,
        "scale": args.scale,
        "persons_on_file": on_file,
        "cpus": os.cpu_count(),
    }
    ok = True
    if args.only in (None, "time"):
        figures, met = timing(args.persons, valid_from)
        summary.update(figures)
        ok = ok and met
    if args.only in (None, "memory"):
        # The database must be committed for the child processes to see the demo city.
        figures, met = memory(valid_from, *args.memory_rows)
        summary["memory"] = figures
        ok = ok and met
    summary["load_average"] = os.getloadavg()
    summary["ok"] = ok
    print(json.dumps(summary))
    return 0 if ok else 1


def timing(count: int, valid_from: dt.date) -> tuple[dict[str, Any], bool]:
    """The time part (see the module docstring): figures and whether it is met."""
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from doconnect.core.viewers import viewer_for
    from doconnect.people.models import DuplicateCandidate
    from doconnect.people.person_import_services import persons_file_chunks, persons_import_chunks

    viewer = viewer_for(get_user_model().objects.get(username="fallberatung"))
    people = persons(count, random.Random(SEED))
    data = persons_csv(people, valid_from)

    def baseline() -> None:
        with transaction.atomic():
            plain_bulk_insert(people, valid_from, viewer.user_id)
            transaction.set_rollback(True)

    def target() -> Any:  # as the command runs it: a chunk at a time
        chunks = persons_file_chunks(io.BytesIO(data), file="persons.csv")
        return persons_import_chunks(viewer, chunks, file="persons.csv")

    def target_rolled_back() -> Any:
        with transaction.atomic():
            result = target()
            transaction.set_rollback(True)
        return result

    # Alternating rounds, each rolled back; the fastest of each counts, so a burst of
    # another process on the two shared cores does not decide the ratio.
    plain_runs, import_runs = [], []
    for _round in range(ROUNDS):
        plain_runs.append(_timed(baseline)[1:])
        import_runs.append(_timed(target_rolled_back)[1:])
    plain_wall, plain_cpu = min(plain_runs)
    import_wall, import_cpu = min(import_runs)
    # Once more for good, then the same file again: everything unchanged. Rolled back
    # at the end, so the memory part imports into the same city.
    with transaction.atomic():
        result, _, _ = _timed(target)
        again, again_wall, _ = _timed(target)
        queued = DuplicateCandidate.objects.filter(found_in="cli:import persons").count()
        transaction.set_rollback(True)

    ratio = import_wall / plain_wall
    cpu_ratio = import_cpu / plain_cpu
    counts_ok = result.created == len(people) and again.unchanged == len(people)
    ok = counts_ok and ratio < MAX_RATIO
    print(
        f"plain bulk insert  {plain_wall:6.2f} s  (CPU {plain_cpu:.2f} s; {len(people):,} persons)"
    )
    print(
        f"import             {import_wall:6.2f} s  (CPU {import_cpu:.2f} s; ratio {ratio:.2f}, "
        f"CPU {cpu_ratio:.2f}; under {MAX_RATIO:g}: {'met' if ok else 'MISSED'})"
    )
    print(
        f"possible duplicates {len(result.possible_duplicate_lines)} lines, {queued} pairs queued"
    )
    print(f"same file again    {again_wall:6.2f} s  ({again.unchanged:,} unchanged)")
    return {
        "persons_imported": len(people),
        "baseline_seconds": round(plain_wall, 3),
        "baseline_cpu_seconds": round(plain_cpu, 3),
        "import_seconds": round(import_wall, 3),
        "import_cpu_seconds": round(import_cpu, 3),
        "rounds": ROUNDS,
        "plain_runs_seconds": [round(w, 2) for w, _c in plain_runs],
        "import_runs_seconds": [round(w, 2) for w, _c in import_runs],
        "ratio": round(ratio, 3),
        "cpu_ratio": round(cpu_ratio, 3),
        "max_ratio": MAX_RATIO,
        "possible_duplicate_lines": len(result.possible_duplicate_lines),
        "pairs_queued": queued,
        "reimport_seconds": round(again_wall, 3),
    }, ok


if __name__ == "__main__":
    raise SystemExit(main())
