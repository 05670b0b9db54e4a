"""Benchmark: every page of the load benchmark's day (issue #19), single user at scale,
against a trivial signed-in page.

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
| person list | case worker | ``/persons/`` |
| person page | case worker | the first person of the list |
| person notes | case worker | that person's ``notes/`` |
| referral inbox | provider staff (``traeger``) | ``/referrals/`` |
| dashboard | coordinator (``koordination``) | ``/`` |
| offers | coordinator | ``/offers/`` |
| providers | coordinator | ``/providers/`` |
| report preview | coordinator | the first preview linked from ``/transparency/`` |
| public index | nobody signed in | ``/public/`` |
| published report | nobody signed in | the first report linked from ``/public/`` |

(the pages and users of ``_load_users.py``).

Prints per page the warm median of wall time and of this process's CPU time (on
PostgreSQL the server's CPU is not in it: the wall time includes it, and the load
average printed with it says how far it is to be trusted on a shared machine), the
milliseconds of it spent in Python's garbage collector (set as the server sets it,
``core/collector.py``; ``--python-gc`` for Python's defaults), the ratio of the wall
median to the baseline's, the first request and the query count; then one JSON line.
Exits 1 when a page answers other than 200 or a warm wall median reaches TARGET_MS (the
issue's single-user target).

    .venv/bin/python bench/work_pages.py                    # scale 20 on PostgreSQL
    .venv/bin/python bench/work_pages.py --scale 1
    .venv/bin/python bench/work_pages.py --database-url postgresql://…/demo20
"""

from __future__ import annotations

import argparse
import gc
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
    parser.add_argument(
        "--python-gc",
        action="store_true",
        help="Python's default garbage collector instead of the server's (core/collector.py)",
    )
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

    from doconnect.core import collector
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
    clients: dict[str, Client] = {"": Client()}
    for username in ("fallberatung", "traeger", "koordination"):
        clients[username] = Client()
        clients[username].force_login(
            users.get(username=username), backend="django.contrib.auth.backends.ModelBackend"
        )

    def linked(username: str, url: str, pattern: str) -> str:
        found = re.search(pattern, clients[username].get(url).content.decode())
        return found.group(1) if found else ""

    pages_of_tasks = int(linked("fallberatung", "/tasks/", r"Seite 1 von (\d+)") or 1)
    person = linked("fallberatung", "/persons/", r'href="(/persons/P-[0-9A-Z]{8}/)"')
    preview = linked("koordination", "/transparency/", r'href="(/transparency/\d{4}/preview/)"')
    report = linked("", "/public/", r'href="(/public/reports/\d{4}/)"')
    pages = {
        "baseline": ("fallberatung", "/tasks/settings/"),
        "tasks": ("fallberatung", "/tasks/"),
        "tasks, last page": ("fallberatung", f"/tasks/?page={pages_of_tasks}"),
        "person list": ("fallberatung", "/persons/"),
        "person page": ("fallberatung", person),
        "person notes": ("fallberatung", person + "notes/"),
        "referral inbox": ("traeger", "/referrals/"),
        "dashboard": ("koordination", "/"),
        "offers": ("koordination", "/offers/"),
        "providers": ("koordination", "/providers/"),
        "report preview": ("koordination", preview),
        "public index": ("", "/public/"),
        "published report": ("", report),
    }
    if not report:
        print("published report: none in this city, not measured")
        del pages["published report"]
    missing = [name for name, (_user, url) in pages.items() if not url]
    if missing:
        print(f"no link found for: {', '.join(missing)}")
        return 1
    # As ``doconnect serve`` and ``doconnect worker`` run (core/collector.py), unless
    # --python-gc asks for Python's default collector, to compare.
    if not args.python_gc:
        collector.settle()
    collecting = [0.0, 0.0]  # seconds in the collector, start of the current collection

    def timed(phase: str, _info: dict[str, int]) -> None:
        if phase == "start":
            collecting[1] = time.perf_counter()
        else:
            collecting[0] += time.perf_counter() - collecting[1]

    gc.callbacks.append(timed)
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
        in_gc: list[float] = []
        for _round in range(args.rounds):
            collecting[0] = 0.0
            started, cpu_started = time.perf_counter(), time.process_time()
            client.get(url)
            wall.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - cpu_started) * 1000)
            in_gc.append(collecting[0] * 1000)
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        results[name] = {
            "median_ms": round(statistics.median(wall), 1),
            "cpu_median_ms": round(statistics.median(cpu), 1),
            "gc_median_ms": round(statistics.median(in_gc), 1),
            "first_ms": round(first_ms, 1),
            "queries": len(queries),
        }
    baseline = results["baseline"]["median_ms"]
    persons = Person.objects.count()
    print(f"backend      {backend}, {persons:,} persons (load {load_seconds:.0f} s)")
    print(f"{'page':<20}{'median':>10}{'cpu':>10}{'gc':>9}{'ratio':>8}{'first':>11}{'queries':>9}")
    slow = []
    for name, figures in results.items():
        figures["ratio"] = round(figures["median_ms"] / baseline, 2)
        print(
            f"{name:<20}{figures['median_ms']:>7.1f} ms{figures['cpu_median_ms']:>7.1f} ms"
            f"{figures['gc_median_ms']:>6.1f} ms"
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
                "collector": "python default" if args.python_gc else "server (core/collector.py)",
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
