"""Benchmark: the task page and the dashboard at scale (issue #19), against a trivial
signed-in page.

Builds the demo city (``load_demo_city``, --scale, default 20: 100,000 persons) in a
throwaway PostgreSQL cluster (or, with --sqlite, a temporary SQLite file), or uses an
existing demo database (--database-url, loaded with ``doconnect demo --scale N``), with
DEBUG off and the production settings (as ``slow_pages.py``). Then, single user through
Django's test client (the whole middleware stack, templates rendered), each page is
requested once ("first": computes what ``core.changes`` keeps), then --rounds times:

| page | user | URL |
| --- | --- | --- |
| baseline | case worker | ``/tasks/settings/`` |
| tasks | case worker (``fallberatung``, the Jobcenter) | ``/tasks/`` |
| tasks, last page | case worker | ``/tasks/?page=N`` (the last) |
| dashboard | coordinator (``koordination``) | ``/`` |

Prints per page the warm median of wall time and of this process's CPU time (on
PostgreSQL the server's CPU is not in it: the wall time includes it, and the load
average printed with it says how far it is to be trusted on a shared machine), the ratio
of the wall median to the baseline's, the first request and the query count; then one
JSON line. Exits 1 when a page answers other than 200 or a warm wall median reaches
TARGET_MS (the issue's single-user target).

    .venv/bin/python bench/work_pages.py                    # scale 20 on PostgreSQL
    .venv/bin/python bench/work_pages.py --scale 1
    .venv/bin/python bench/work_pages.py --database-url postgresql://…/demo20
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import tempfile
import time

from _database import throwaway_database

TARGET_MS = 150.0
ROUNDS = 5


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=20.0, help="demo city scale (default 20)")
    parser.add_argument("--sqlite", action="store_true", help="SQLite instead of PostgreSQL")
    parser.add_argument("--database-url", default="", help="an existing demo database")
    parser.add_argument("--rounds", type=int, default=ROUNDS, help="timed requests per page")
    args = parser.parse_args()
    os.environ["DOCONNECT_ALLOWED_HOSTS"] = "testserver"
    os.environ["DOCONNECT_DEMO_MODE"] = "1"
    os.environ["DOCONNECT_TOTP_REQUIRED"] = "0"
    os.environ["DOCONNECT_VAR_DIR"] = tempfile.mkdtemp(prefix="doconnect-bench-var-")
    if args.database_url:
        os.environ["DOCONNECT_DATABASE_URL"] = args.database_url
        existing_database_settings()
    else:
        throwaway_database(sqlite=args.sqlite)

    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from doconnect.people.models import Person

    call_command("collectstatic", interactive=False, verbosity=0)
    load_seconds = 0.0
    if not args.database_url:
        from doconnect.demo.services import load_demo_city

        started = time.perf_counter()
        load_demo_city(scale=args.scale)
        load_seconds = time.perf_counter() - started
    backend = connection.vendor

    users = get_user_model().objects
    clients: dict[str, Client] = {}
    for username in ("fallberatung", "koordination"):
        clients[username] = Client()
        clients[username].force_login(
            users.get(username=username), backend="django.contrib.auth.backends.ModelBackend"
        )
    first = clients["fallberatung"].get("/tasks/").content.decode()
    found = re.search(r"Seite 1 von (\d+)", first)
    pages_of_tasks = int(found.group(1)) if found else 1
    pages = {
        "baseline": ("fallberatung", "/tasks/settings/"),
        "tasks": ("fallberatung", "/tasks/"),
        "tasks, last page": ("fallberatung", f"/tasks/?page={pages_of_tasks}"),
        "dashboard": ("koordination", "/"),
    }
    results: dict[str, dict[str, float]] = {}
    bad: list[str] = []
    for name, (username, url) in pages.items():
        client = clients[username]
        started = time.perf_counter()
        response = client.get(url)  # computes what core.changes keeps
        first_ms = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            bad.append(f"{name}: {response.status_code}")
        wall: list[float] = []
        cpu: list[float] = []
        for _round in range(args.rounds):
            started, cpu_started = time.perf_counter(), time.process_time()
            client.get(url)
            wall.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - cpu_started) * 1000)
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        results[name] = {
            "median_ms": round(statistics.median(wall), 1),
            "cpu_median_ms": round(statistics.median(cpu), 1),
            "first_ms": round(first_ms, 1),
            "queries": len(queries),
        }
    baseline = results["baseline"]["median_ms"]
    persons = Person.objects.count()
    print(f"backend      {backend}, {persons:,} persons (load {load_seconds:.0f} s)")
    print(f"{'page':<20}{'median':>10}{'cpu':>10}{'ratio':>8}{'first':>11}{'queries':>9}")
    slow = []
    for name, figures in results.items():
        figures["ratio"] = round(figures["median_ms"] / baseline, 2)
        print(
            f"{name:<20}{figures['median_ms']:>7.1f} ms{figures['cpu_median_ms']:>7.1f} ms"
            f"{figures['ratio']:>7.1f}x{figures['first_ms']:>8.0f} ms{figures['queries']:>9.0f}"
        )
        if name != "baseline" and figures["median_ms"] >= TARGET_MS:
            slow.append(name)
    load = os.getloadavg()
    print(f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    ok = not slow and not bad
    print(
        json.dumps(
            {
                "benchmark": "work_pages",
                "backend": backend,
                "persons": persons,
                "target_ms": TARGET_MS,
                "pages": {name: {**results[name], "url": pages[name][1]} for name in pages},
                "slow": slow,
                "not_ok": bad,
                "load_average": [round(x, 2) for x in load],
                "ok": ok,
            }
        )
    )
    return 0 if ok else 1


def existing_database_settings() -> None:
    """An existing database: the bench's secrets and Django set up, nothing migrated or
    loaded (the database is the caller's)."""
    os.environ.setdefault(
        "DOCONNECT_SECRET_KEY", "bench-only-Qm7vK2xR9pZ4wT1nB8cF5hJ3dS6gA0eU-yL4oI7uE2"
    )
    os.environ.setdefault(
        "DOCONNECT_PERSON_MATCH_KEY", "bench-only-match-Hq2wE9rT5yU1iO7pA3sD8fG6hJ0kL4zX"
    )
    os.environ.update(
        {
            "DOCONNECT_DEBUG": "0",
            "DOCONNECT_SSL_REDIRECT": "0",
            "DJANGO_SETTINGS_MODULE": "doconnect.settings",
        }
    )
    import django

    django.setup()


if __name__ == "__main__":
    raise SystemExit(main())
